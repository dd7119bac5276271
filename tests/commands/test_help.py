import pytest
from django.core.management import load_command_class


@pytest.mark.parametrize(
    ("app", "name", "words"),
    [
        ("congdoan.units", "units", "list"),
        ("congdoan.accounts", "add-user", "CONGDOAN_PASSWORD"),
        ("congdoan.demo", "seed-demo", "--members"),
        ("congdoan.demo", "demo", "--no-serve"),
    ],
)
def test_every_command_explains_itself(app, name, words):
    parser = load_command_class(app, name).create_parser("congdoan", name)
    assert words in parser.format_help()


def test_units_list_explains_its_options():
    parser = load_command_class("congdoan.units", "units").create_parser("congdoan", "units")
    [actions] = [action for action in parser._actions if action.dest == "action"]
    help_text = actions.choices["list"].format_help()
    assert "--under" in help_text and "--at" in help_text and "--format" in help_text
