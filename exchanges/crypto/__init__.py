"""Envelope encryption for secrets at rest (see README "Exchange keys at rest").

keyring   key-encryption keys (KEKs) from the environment
cipher    AES-256-GCM with a versioned header and associated data
datakeys  one data key (DEK) per user, stored only wrapped by a KEK
fields    EncryptedTextField and the Secret wrapper it hands out
"""
