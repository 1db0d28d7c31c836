# From the app, every backend name (app settings, KV reference, PE targets) resolves through the linked privatelink
# zone of vnet-app to its PE NIC address: private, naming the record set that answered (seed README, §1.2-1.3).
privlink resolve --from app-flask-privlink --all
