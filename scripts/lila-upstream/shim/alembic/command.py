import cairn_under_test


def upgrade(config, revision):
    # Where lila's tests migrate a fresh database: a fresh Cairn server.
    cairn_under_test.fresh()
