"""The two checks, one module per error code, and the policy that says which applies."""
