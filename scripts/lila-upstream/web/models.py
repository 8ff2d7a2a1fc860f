"""lila's models as its fixtures use them: a user, its token, and one attestation row."""
import cairn_under_test


class User:
    def __init__(self, name):
        self.name = name
        self.id = 1
        self.token = None

    def _store(self):
        pass


class Token:
    def __init__(self, user, value):
        self.user = user
        self.value = value
        user.token = value

    def _store(self):
        cairn_under_test.create_user(self.user.name, self.value)


class Attestation:
    def __init__(self, output_digest, output_name, output_hash, output_sig, user_id, drv_id=None, output_path=None):
        self.args = (output_digest, output_name, output_hash, output_sig)

    def _store(self):
        cairn_under_test.orphan_attestation("test_token_123", *self.args)
