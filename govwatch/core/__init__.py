"""The ground floor: what every layer stands on, and which imports nothing of govwatch.

- :mod:`govwatch.core.schema`: the database's tables, ``open_db``, the schema version;
- :mod:`govwatch.core.vocabulary`: the values stored in columns, with their Chinese names;
- :mod:`govwatch.core.config`: the sites file (govwatch.yaml) and its
  :mod:`~govwatch.core.schedule` section;
- :mod:`govwatch.core.defaults`: defaults read across layers, each stated once;
- :mod:`govwatch.core.cells`: spreadsheet cells that cannot turn into formulas.
"""
