# The vault uses RBAC (enableRbacAuthorization true) and the app has only an access policy with get: a vault in
# RBAC mode ignores access policies (§13.3), so AccessToKeyVaultDenied, and the details say the policy is ignored.
privlink env --from app-flask-privlink --estate estate
