class Config:
    def __init__(self, path=None):
        self.attributes = {}

    def set_main_option(self, name, value):
        pass
