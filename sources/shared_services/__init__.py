"""Shared-service arrangements between councils: the arrangement contract, loaders for the
bundled joint-management list, the canonical contract and the (assumed) LGA shared-services map
layout, and partner resolution through the register (sources.shared_services.arrangements)."""
