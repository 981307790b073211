"""Make the field app's test issuer key pair (keys/issuer.pem, keys/issuer.pub.pem) if absent.
The kit signs tokens with the private key (the target's issuer_private_key); the app verifies them.
*.pem is gitignored: the keys never enter the repository."""

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

d = Path(__file__).parent / "keys"
if not (d / "issuer.pem").exists() or not (d / "issuer.pub.pem").exists():
    d.mkdir(exist_ok=True)
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (d / "issuer.pem").write_bytes(
        k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (d / "issuer.pub.pem").write_bytes(
        k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
