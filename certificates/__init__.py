"""Certificates: issue rules, numbering, PDF rendering, signing, verification, revocation.

Arrives with the certificate work.
"""
