from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with the smallest cost, so tests make many accounts quickly. Hashes still read
    ``argon2$...`` and verify through the same code path as in production."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
