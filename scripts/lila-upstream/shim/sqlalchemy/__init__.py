"""Just enough of SQLAlchemy's surface for lila's test fixtures: the database they create and
drop is Cairn's, started fresh per test by the alembic shim."""


class _Conn:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, *args, **kwargs):
        return None


class _Engine:
    def begin(self):
        return _Conn()


def create_engine(*args, **kwargs):
    return _Engine()


def text(sql):
    return sql


class _Inspector:
    def get_table_names(self):
        return []


def inspect(engine):
    return _Inspector()
