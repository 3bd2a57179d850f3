"""The audit trail: who changed a score, published a result, issued or revoked a certificate."""
