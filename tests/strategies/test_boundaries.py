"""The strategies package stays pure: it imports only the domain, pydantic and the standard library."""
import sys

from tests.test_architecture import imports_of


def test_strategies_import_only_the_domain_pydantic_and_the_standard_library():
    for module, names in imports_of("strategies").items():
        for name in names:
            top = name.split(".")[0]
            allowed = (
                name.startswith(("negotiator_app.domain", "negotiator_app.strategies"))
                or top == "pydantic"
                or top in sys.stdlib_module_names
                or name == "__future__"
            )
            assert allowed, f"strategies/{module} imports {name}"
