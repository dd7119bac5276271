from django.urls import reverse
from django.utils import translation

from congdoan.audit.models import ObjectChange
from congdoan.units.models import Unit


def test_change_log_is_scoped(client_as):
    page = client_as("officer").get(reverse("audit:list"))
    units = {change.unit.code for change in page.context["page"] if change.unit}
    assert "KG" in units and "AG" not in units and "AG-LX-01" not in units


def test_change_log_filters_by_unit(client_as):
    response = client_as("officer").get(reverse("audit:list"), {"unit": "KG-RG-01"})
    assert {change.unit.code for change in response.context["page"]} == {"KG-RG-01"}


def test_change_detail_shows_before_and_after_with_field_names(client_as):
    unit = Unit.objects.get(code="KG-RG")
    unit.address = "12 Trần Phú"
    unit.save()
    change = ObjectChange.objects.for_object(unit).first()
    response = client_as("officer").get(reverse("audit:detail", args=[change.pk]))
    with translation.override("vi"):
        label = str(Unit._meta.get_field("address").verbose_name)  # the field's name as the page shows it
    assert response.context["rows"] == [(label, "", "12 Trần Phú")]
    assert "12 Trần Phú" in response.content.decode()
    assert client_as("outsider").get(reverse("audit:detail", args=[change.pk])).status_code == 404


def test_object_and_unit_logs(client_as):
    unit = Unit.objects.get(code="KG-PQ")
    officer = client_as("officer")
    response = officer.get(
        reverse("audit:object", args=[ObjectChange.objects.for_object(unit).first().content_type_id, unit.pk])
    )
    assert {change.object_id for change in response.context["page"]} == {unit.pk}
    response = officer.get(reverse("audit:unit", args=["KG-PQ"]))
    # Everything filed under the unit: the unit, its link, its name…
    assert len({change.content_type_id for change in response.context["page"]}) >= 3


def test_change_log_dates_are_picked_from_a_calendar(client_as):
    html = client_as("officer").get(reverse("audit:list"), {"since": "2025-03-07"}).content.decode()
    assert '<input type="date" name="since" value="2025-03-07"' in html
    assert '<input type="date" name="until"' in html
