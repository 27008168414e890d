"""Shared-service arrangements between councils: assets in group 'shared_services'."""
