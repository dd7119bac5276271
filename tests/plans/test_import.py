"""Programme files: importing is idempotent, changes only what changed, and refuses bad files by place."""

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from congdoan.accounts.models import Role
from congdoan.audit.models import ObjectChange
from congdoan.plans.models import Programme, Responsibility, Target, Task
from congdoan.plans.services import import_programme, load_seed_programmes, seed_files


def seed(name_start: str) -> dict:
    path = next(p for p in seed_files() if p.name.startswith(name_start))
    return json.loads(path.read_text(encoding="utf-8"))


def dump(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def test_importing_the_seeds_again_changes_nothing(provinces):
    first = load_seed_programmes()
    assert all(outcome.created and outcome.changes > 0 for outcome in first)
    logged = ObjectChange.objects.count()
    counts = [model.objects.count() for model in (Programme, Target, Task, Responsibility)]
    again = load_seed_programmes()
    assert [(o.created, o.changes) for o in again] == [(False, 0)] * 5
    assert ObjectChange.objects.count() == logged
    assert [model.objects.count() for model in (Programme, Target, Task, Responsibility)] == counts


def test_the_first_import_is_change_logged_under_the_province(provinces):
    load_seed_programmes()
    programme = Programme.objects.get(ref="DB-579-CV-2019")
    changes = ObjectChange.objects.filter(unit=provinces["DB"])
    assert changes.for_object(programme).get().action == ObjectChange.Action.CREATE
    assert changes.filter(content_type__model="target").count() == 3


def test_a_changed_file_changes_only_what_changed(provinces):
    data = seed("000")
    import_programme(content=dump(data))
    data["targets"][1]["value"] = 600
    del data["targets"][2]
    outcome = import_programme(content=dump(data))
    assert (outcome.created, outcome.changes) == (False, 2)
    programme = outcome.programme
    assert [t.whole_value for t in programme.targets.all()] == [70, 600]
    update = ObjectChange.objects.filter(action=ObjectChange.Action.UPDATE).get()
    assert (update.before["value"], update.after["value"]) == ("594.00", "600.00")
    assert (
        ObjectChange.objects.filter(action=ObjectChange.Action.DELETE, content_type__model="target").count()
        == 1
    )


def test_a_unit_not_in_the_tree_leaves_the_link_empty_with_a_warning(db):
    outcome = import_programme(content=dump(seed("001")))
    assert outcome.programme.unit is None and outcome.programme.issuer_unit is None
    assert outcome.warnings and outcome.warnings[0].startswith("issuer.unit:")


def test_units_are_found_by_name_when_the_code_differs(provinces):
    data = seed("001")
    data["issuer"]["unit"] = {"code": "LAICHAU", "name": "Lien doan Lao dong tinh Lai Chau"}
    outcome = import_programme(content=dump(data))
    assert outcome.programme.unit == provinces["LC"] and not outcome.warnings


def test_parent_programme_and_basis_link_to_programmes_in_the_system(provinces):
    import_programme(content=dump(seed("000")))
    child = copy.deepcopy(seed("000"))
    child.update(
        ref="DB-DBP-CT-2020",
        kind="work_programme",
        number="12/CTr-LĐLĐ",
        parent="DB-579-CV-2019",
        issuer={"name": "Ban Thường vụ LĐLĐ thành phố Điện Biên Phủ", "unit": "DB-DBP"},
        basis=[{"text": "Công văn 579/CV-LĐLĐ ngày 16/10/2019", "programme": "DB-579-CV-2019"}],
    )
    programme = import_programme(content=dump(child)).programme
    parent = Programme.objects.get(ref="DB-579-CV-2019")
    assert programme.parent == parent and programme.bases.get().document == parent
    assert programme.unit == provinces["DB-DBP"]


def test_task_responsibilities_belong_to_their_task(provinces):
    data = seed("000")
    data["tasks"][2]["responsible"] = [{"who": "Ban Tổ chức", "what": "theo dõi chỉ tiêu kết nạp"}]
    data["tasks"][2]["deadline"] = "30/11/2020"
    programme = import_programme(content=dump(data)).programme
    task = programme.tasks.get(ref="I.5")
    assert [r.who for r in task.responsibilities.all()] == ["Ban Tổ chức"]
    assert task.deadline.isoformat() == "2020-11-30"


def _set(path: str, value):
    """A change to the 000 seed file at ``path`` (dotted, with list indexes); ``...`` deletes the entry."""

    def change(data: dict) -> None:
        *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
        for part in parents:
            data = data[part]
        if value is ...:
            del data[last]
        else:
            data[last] = value

    return change


BAD_FILES = [
    ("percent above 100", _set("targets.0.value", 120), "targets[0].value"),
    ("count with a fraction", _set("targets.1.value", 594.5), "targets[1].value"),
    ("number written with a thousands dot", _set("targets.1.value", "5.821"), "targets[1].value"),
    ("negative count", _set("targets.1.value", -1), "targets[1].value"),
    ("unknown comparator", _set("targets.0.comparator", "≥"), "targets[0].comparator"),
    ("unknown kind", _set("targets.0.kind", "ratio"), "targets[0].kind"),
    (
        "target outside the programme's year",
        _set("targets.0.period", {"kind": "year", "start": 2021}),
        "targets[0].period.kind",
    ),
    ("indicator and manual at once", _set("targets.0.indicator", "cdcs_tuldtt"), "targets[0].indicator"),
    ("neither indicator nor manual", _set("targets.0.manual", False), "targets[0].indicator"),
    ("unknown entry", _set("targts", []), "targts"),
    ("unknown entry in a target", _set("targets.2.valeu", 3), "targets[2].valeu"),
    ("impossible date", _set("issued_on", "31/02/2019"), "issued_on"),
    ("missing deadline date", _set("deadlines.0.before", ...), "deadlines[0].before"),
    ("unknown channel", _set("deadlines.0.channel", "zalo"), "deadlines[0].channel"),
    ("unknown task status", _set("tasks.0.status", "xong"), "tasks[0].status"),
    ("missing task title", _set("tasks.3.title", ""), "tasks[3].title"),
    ("term without its end", _set("period", {"kind": "term", "start": 2018}), "period.end"),
    ("missing issuer", _set("issuer", ...), "issuer"),
    ("missing target text", _set("targets.0.text", ...), "targets[0].text"),
    ("unknown parent", _set("parent", "DB-000-CV-2018"), "parent"),
    ("bad merge rule", _set("merge_rule", {"small_below_members": "mười"}), "merge_rule"),
    ("wrong format", _set("format", "congdoan.programme/9"), "format"),
    ("ref with diacritics", _set("ref", "ĐB-579"), "ref"),
    ("list where an object belongs", _set("targets.0", ["I.4"]), "targets[0]"),
]


@pytest.mark.parametrize(
    ("change", "place"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES]
)
def test_a_bad_file_is_refused_naming_the_place_and_writes_nothing(provinces, change, place):
    data = seed("000")
    change(data)
    with pytest.raises(ValidationError) as refused:
        import_programme(content=dump(data))
    assert place in refused.value.message_dict, refused.value.message_dict
    assert all(refused.value.message_dict[place])
    assert (
        not Programme.objects.exists()
        and not ObjectChange.objects.filter(content_type__app_label="plans").exists()
    )


def test_a_file_that_is_not_json_is_refused_with_its_line(db):
    with pytest.raises(ValidationError) as refused:
        import_programme(content=b'{\n  "format": "congdoan.programme/1",\n  "ref": \n}')
    assert list(refused.value.message_dict) == ["dòng 4, cột 1"]  # where a value was due (line, column)


def test_a_bad_update_leaves_the_loaded_programme_as_it_was(provinces):
    data = seed("002")
    import_programme(content=dump(data))
    data["targets"][0]["value"] = 6000
    data["targets"][17]["kind"] = "percent"
    data["targets"][17]["value"] = 500
    with pytest.raises(ValidationError) as refused:
        import_programme(content=dump(data))
    assert "targets[17].value" in refused.value.message_dict
    assert Programme.objects.get(ref="KG-NQ-2020").targets.get(position=1).whole_value == 5821


def test_importing_as_a_user_stays_within_their_unit(provinces, user_at):
    officer = user_at(provinces["DB"])
    with pytest.raises(PermissionDenied):
        import_programme(content=dump(seed("001")), user=officer)
    assert import_programme(content=dump(seed("000")), user=officer).created
    with pytest.raises(PermissionDenied):
        import_programme(content=dump(seed("000")), user=user_at(provinces["DB"], Role.VIEWER))
