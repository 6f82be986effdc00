# A package, so pytest imports this folder's conftest.py as EndToEnd.conftest: Tests/Deployment's
# tests import their own conftest by the bare name `conftest`, which must stay theirs.
