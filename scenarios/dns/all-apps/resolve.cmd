# --all-apps resolves, for every app in id order, the names `resolve --all` lists for it, from the app's own view.
privlink resolve --all-apps --estate estate --format json
