"""Taking a step of the card workflow back: a prepared print batch cancelled (its requests wait for another
batch) or re-dated, an approved request withdrawn (its members may be asked for again). The services, then
the pages and the API; every refusal (handed out, twice, another province, a chair, a viewer)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congdoan.audit.models import ObjectChange
from congdoan.members import cards
from congdoan.members.models import CardPrintBatch, CardRequest, CardRequestItem, MemberCard
from tests.members import test_cards
from tests.members.test_cards import messages, request_for
from tests.mixins import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
users = test_cards.users  # the fixture: every role of the registry, and Rạch Giá's officer

DAY = datetime.timedelta(days=1)


def refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


def approved(users, member) -> CardRequest:
    """A request for ``member`` made by its CĐCS's chair (An) or the province's officer (Bình), approved by
    Rạch Giá, the upper level of both CĐCS."""
    role = "chair" if member.unit_id == users["chair"].unit_id else "officer"
    return cards.approve_request(request=request_for(users, member, role=role), user=users["rg_officer"])


def prepared(users, registry, *requests, on=None) -> CardPrintBatch:
    """The approved ``requests`` (An's and Bình's by default) in a batch of Rạch Giá."""
    requests = requests or (approved(users, registry.an), approved(users, registry.binh))
    return cards.create_print_batch(
        user=users["rg_officer"],
        unit=registry.world.units["rg"],
        requests=list(requests),
        issued_on=on or timezone.localdate(),
    )


# ------------------------------------------------------------------------------------ cancel a batch


def test_a_cancelled_batch_lets_its_requests_go_into_another(registry, users):
    batch = prepared(users, registry)
    requests = sorted(CardRequest.objects.values_list("pk", flat=True))
    rg = registry.world.units["rg"]
    assert not cards.printable_requests(users["rg_officer"], rg).exists()
    with pytest.raises(ValidationError) as refused:
        cards.cancel_batch(batch=batch, user=users["rg_officer"], reason="  ")
    assert "Say why" in messages(refused.value, "reason")
    assert CardRequestItem.objects.filter(batch=batch).count() == 2

    cards.cancel_batch(batch=batch, user=users["rg_officer"], reason="Ngày cấp gõ nhầm 2062")
    batch.refresh_from_db()
    assert (batch.state, batch.cancelled_by, batch.cancellation_reason) == (
        CardPrintBatch.State.CANCELLED,
        users["rg_officer"],
        "Ngày cấp gõ nhầm 2062",
    )
    assert batch.cancelled_at is not None and batch.released_requests == requests
    assert not CardRequestItem.objects.filter(batch__isnull=False).exists()
    assert set(CardRequest.objects.values_list("state", flat=True)) == {CardRequest.State.APPROVED}
    assert sorted(cards.printable_requests(users["rg_officer"], rg).values_list("pk", flat=True)) == requests
    # Logged: the batch and each item let go.
    assert ObjectChange.objects.for_object(batch).filter(action=ObjectChange.Action.UPDATE).exists()
    for item in CardRequestItem.objects.all():
        change = ObjectChange.objects.for_object(item).latest("pk")
        assert (change.before["batch_id"], change.after["batch_id"]) == (batch.pk, None)

    again = prepared(users, registry, *CardRequest.objects.all())
    assert again.items.count() == 2
    assert cards.issue_batch(batch=again, user=users["rg_officer"]) == 2


def test_a_cancelled_batch_is_not_cancelled_again_nor_handed_out(registry, users):
    batch = prepared(users, registry)
    cards.cancel_batch(batch=batch, user=users["rg_officer"], reason="Sai danh sách")
    for attempt in (
        lambda: cards.cancel_batch(batch=batch, user=users["rg_officer"], reason="Lần nữa"),
        lambda: cards.issue_batch(batch=batch, user=users["rg_officer"]),
        lambda: cards.change_issue_date(
            batch=batch, user=users["rg_officer"], issued_on=timezone.localdate() - DAY
        ),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert "was cancelled" in refusal(refused.value)
    assert not MemberCard.objects.exists()
    assert CardPrintBatch.objects.get().cancellation_reason == "Sai danh sách"


def test_a_handed_out_batch_is_neither_cancelled_nor_redated(registry, users):
    batch = prepared(users, registry)
    cards.issue_batch(batch=batch, user=users["rg_officer"])
    with pytest.raises(ValidationError) as refused:
        cards.cancel_batch(batch=batch, user=users["officer"], reason="Muộn rồi")
    assert "already handed out" in refusal(refused.value)
    with pytest.raises(ValidationError) as refused:
        cards.change_issue_date(batch=batch, user=users["officer"], issued_on=timezone.localdate() - DAY)
    assert "already handed out" in refusal(refused.value)
    batch.refresh_from_db()
    assert (batch.state, batch.issued_on) == (CardPrintBatch.State.ISSUED, timezone.localdate())
    assert CardRequestItem.objects.filter(batch=batch, card__isnull=False).count() == 2


def test_only_who_may_change_the_printing_unit_cancels_or_redates(registry, users):
    batch = prepared(users, registry)
    for role in ("chair", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            cards.cancel_batch(batch=batch, user=users[role], reason="Không")
        with pytest.raises(PermissionDenied):
            cards.change_issue_date(batch=batch, user=users[role], issued_on=timezone.localdate() - DAY)
    batch.refresh_from_db()
    assert (batch.state, batch.issued_on) == (CardPrintBatch.State.PREPARED, timezone.localdate())
    cards.cancel_batch(batch=batch, user=users["officer"], reason="Tỉnh in chung")  # the province above
    assert CardPrintBatch.objects.get().state == CardPrintBatch.State.CANCELLED


# ---------------------------------------------------------------------------------- change its date


def test_a_prepared_batch_takes_a_corrected_date_under_the_rules_of_preparing_it(registry, users):
    today = timezone.localdate()
    batch = prepared(users, registry, on=today + 30 * DAY)
    with pytest.raises(ValidationError) as refused:
        cards.issue_batch(batch=batch, user=users["rg_officer"])
    assert "hand them out from that day" in messages(refused.value, "issued_on")
    with pytest.raises(ValidationError) as refused:
        cards.change_issue_date(batch=batch, user=users["rg_officer"], issued_on=batch.issued_on)
    assert "already bears this date" in messages(refused.value, "issued_on")
    with pytest.raises(ValidationError) as refused:  # An and Bình joined the union on 01/06/2019
        cards.change_issue_date(batch=batch, user=users["rg_officer"], issued_on=datetime.date(2019, 5, 31))
    assert "Nguyễn Văn An" in messages(refused.value, "issued_on")
    assert "Trần Thị Bình" in messages(refused.value, "issued_on")
    with pytest.raises(ValidationError) as refused:
        cards.change_issue_date(batch=batch, user=users["rg_officer"], issued_on=datetime.date(2062, 3, 1))
    assert "a year from today" in messages(refused.value, "issued_on")
    assert CardPrintBatch.objects.get().issued_on == today + 30 * DAY

    cards.change_issue_date(batch=batch, user=users["rg_officer"], issued_on=today)
    batch.refresh_from_db()
    assert batch.issued_on == today and batch.state == CardPrintBatch.State.PREPARED
    change = ObjectChange.objects.for_object(batch).filter(action=ObjectChange.Action.UPDATE).get()
    assert (change.before["issued_on"], change.after["issued_on"]) == (
        (today + 30 * DAY).isoformat(),
        today.isoformat(),
    )
    assert cards.issue_batch(batch=batch, user=users["rg_officer"]) == 2
    registry.an.refresh_from_db()
    assert registry.an.card_issued_on == today


def test_a_batch_dated_more_than_a_year_ahead_is_refused_when_prepared(registry, users):
    request = approved(users, registry.an)
    latest = timezone.localdate() + cards.DAYS_AHEAD * DAY
    with pytest.raises(ValidationError) as refused:
        prepared(users, registry, request, on=latest + DAY)
    assert "a year from today" in messages(refused.value, "issued_on")
    assert not CardPrintBatch.objects.exists()
    assert prepared(users, registry, request, on=latest).issued_on == latest


# ----------------------------------------------------------------------------- withdraw an approval


def test_an_approval_withdrawn_lets_the_cdcs_ask_again(registry, users):
    request = approved(users, registry.an)
    assert cards.may_withdraw(users["rg_officer"], request)
    with pytest.raises(ValidationError) as refused:
        cards.withdraw_request(request=request, user=users["rg_officer"], reason="")
    assert "Say why" in messages(refused.value, "reason")
    cards.withdraw_request(request=request, user=users["rg_officer"], reason="Ảnh không đúng người")
    request.refresh_from_db()
    assert (request.state, request.withdrawn_by, request.withdrawal_reason) == (
        CardRequest.State.WITHDRAWN,
        users["rg_officer"],
        "Ảnh không đúng người",
    )
    assert request.withdrawn_at is not None and request.decided_by == users["rg_officer"]
    assert ObjectChange.objects.for_object(request).filter(action=ObjectChange.Action.UPDATE).count() == 2
    assert not cards.may_withdraw(users["rg_officer"], request)
    assert not cards.printable_requests(users["rg_officer"], registry.world.units["rg"]).exists()
    # Twice, or decided again: refused.
    with pytest.raises(ValidationError) as refused:
        cards.withdraw_request(request=request, user=users["rg_officer"], reason="Lần nữa")
    assert "Only an approved request" in refusal(refused.value)
    with pytest.raises(ValidationError) as refused:
        cards.approve_request(request=request, user=users["rg_officer"])
    assert "already decided" in refusal(refused.value)
    # The members are no longer asked for: the CĐCS asks again.
    assert request_for(users, registry.an).state == CardRequest.State.PENDING


def test_an_approval_is_not_withdrawn_once_its_cards_are_in_a_batch(registry, users):
    request = approved(users, registry.an)
    batch = prepared(users, registry, request)
    assert not cards.may_withdraw(users["rg_officer"], request)
    with pytest.raises(ValidationError) as refused:
        cards.withdraw_request(request=request, user=users["rg_officer"], reason="Không cần")
    assert f"print batch {batch.pk}" in refusal(refused.value)
    # Once the batch is cancelled, the approval may be withdrawn.
    cards.cancel_batch(batch=batch, user=users["rg_officer"], reason="Sai")
    cards.withdraw_request(request=request, user=users["rg_officer"], reason="Không cần")
    assert CardRequest.objects.get().state == CardRequest.State.WITHDRAWN

    handed_out = approved(users, registry.binh)
    cards.issue_batch(batch=prepared(users, registry, handed_out), user=users["rg_officer"])
    with pytest.raises(ValidationError) as refused:
        cards.withdraw_request(request=handed_out, user=users["rg_officer"], reason="Muộn")
    assert "print batch" in refusal(refused.value)
    assert CardRequest.objects.get(pk=handed_out.pk).state == CardRequest.State.APPROVED


def test_only_the_upper_level_withdraws_an_approval(registry, users):
    waiting = request_for(users, registry.binh, role="officer")
    with pytest.raises(ValidationError) as refused:
        cards.withdraw_request(request=waiting, user=users["rg_officer"], reason="Chưa duyệt")
    assert "Only an approved request" in refusal(refused.value)
    request = approved(users, registry.an)
    with pytest.raises(ValidationError) as refused:
        cards.withdraw_request(request=request, user=users["chair"], reason="Tự rút")
    assert "cannot decide on it" in refusal(refused.value)
    for role in ("viewer", "outsider"):
        assert not cards.may_withdraw(users[role], request)
        with pytest.raises(ValidationError) as refused:
            cards.withdraw_request(request=request, user=users[role], reason="Không")
        assert "Only the upper level" in refusal(refused.value)
    assert not cards.may_withdraw(users["chair"], request)
    assert CardRequest.objects.get(pk=request.pk).state == CardRequest.State.APPROVED


# -------------------------------------------------------------------------------------------- pages


def page(name: str, pk: int) -> str:
    return reverse(f"members:{name}", kwargs={"pk": pk})


def browser(users, role: str) -> Client:
    client = Client(headers={"accept-language": "en"})  # the messages compared are the English sources
    client.force_login(users[role])
    return client


def test_a_batch_is_cancelled_and_redated_from_its_page(registry, users):
    batch = prepared(users, registry, on=timezone.localdate() + DAY)
    upper = browser(users, "rg_officer")
    shown = upper.get(page("card_batch", batch.pk)).content.decode()
    assert page("card_batch_cancel", batch.pk) in shown and page("card_batch_date", batch.pk) in shown

    response = upper.post(page("card_batch_date", batch.pk), {"issued_on": "31/05/2019"})
    assert response.status_code == 200 and "Nguyễn Văn An (" in response.content.decode()
    assert (
        upper.get(page("card_batch_date", batch.pk)).context["form"]["issued_on"].value() == batch.issued_on
    )
    response = upper.post(page("card_batch_date", batch.pk), {"issued_on": timezone.localdate().isoformat()})
    assert response.status_code == 302 and response["Location"] == page("card_batch", batch.pk)
    assert CardPrintBatch.objects.get().issued_on == timezone.localdate()

    assert upper.get(page("card_batch_cancel", batch.pk)).status_code == 200
    response = upper.post(page("card_batch_cancel", batch.pk), {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert CardPrintBatch.objects.get().state == CardPrintBatch.State.PREPARED
    response = upper.post(page("card_batch_cancel", batch.pk), {"reason": "In nhầm mẫu thẻ"}, follow=True)
    shown = response.content.decode()
    assert "The batch was cancelled" in shown and "In nhầm mẫu thẻ" in shown
    for request in CardRequest.objects.all():  # the requests it released, linked
        assert page("card_request", request.pk) in shown
    assert page("card_batch_cancel", batch.pk) not in shown and page("card_batch_pdf", batch.pk) not in shown
    assert upper.get(page("card_batch_xlsx", batch.pk)).status_code == 404
    response = upper.post(page("card_batch_cancel", batch.pk), {"reason": "Lần nữa"})
    assert response.status_code == 200 and "was cancelled" in response.content.decode()


def test_an_approval_is_withdrawn_from_the_requests_page(registry, users):
    request = approved(users, registry.an)
    upper = browser(users, "rg_officer")
    assert (
        page("card_request_withdraw", request.pk)
        in upper.get(page("card_request", request.pk)).content.decode()
    )
    chair = browser(users, "chair")
    assert (
        page("card_request_withdraw", request.pk)
        not in chair.get(page("card_request", request.pk)).content.decode()
    )
    response = chair.post(page("card_request_withdraw", request.pk), {"reason": "Tự rút"})
    assert response.status_code == 200 and "cannot decide on it" in response.content.decode()

    response = upper.post(page("card_request_withdraw", request.pk), {"reason": "Thiếu ảnh"}, follow=True)
    shown = response.content.decode()
    assert "The approval was withdrawn" in shown and "Thiếu ảnh" in shown and "Withdrawn" in shown
    assert CardRequest.objects.get().state == CardRequest.State.WITHDRAWN
    assert page("card_request_withdraw", request.pk) not in shown


def test_the_undo_pages_refuse_a_viewer_another_province_and_a_handed_out_batch(registry, users):
    request = approved(users, registry.an)
    batch = prepared(users, registry, approved(users, registry.binh))
    undo_pages = (
        page("card_request_withdraw", request.pk),
        page("card_batch_cancel", batch.pk),
        page("card_batch_date", batch.pk),
    )
    body = {"reason": "Không", "issued_on": "01/01/2025"}
    for role, status in (("viewer", 403), ("outsider", 404)):
        for url in undo_pages:
            assert browser(users, role).get(url).status_code == status, (role, url)
            assert browser(users, role).post(url, body).status_code == status, (role, url)
    chair = browser(users, "chair")  # the upper level's batch is out of its scope
    assert chair.post(page("card_batch_cancel", batch.pk), body).status_code == 404
    assert CardRequest.objects.get(pk=request.pk).state == CardRequest.State.APPROVED
    assert CardPrintBatch.objects.get().state == CardPrintBatch.State.PREPARED

    cards.issue_batch(batch=batch, user=users["rg_officer"])
    upper = browser(users, "rg_officer")
    assert page("card_batch_cancel", batch.pk) not in upper.get(page("card_batch", batch.pk)).content.decode()
    response = upper.post(page("card_batch_cancel", batch.pk), body)
    assert response.status_code == 200 and "already handed out" in response.content.decode()
    assert CardPrintBatch.objects.get().state == CardPrintBatch.State.ISSUED


# ---------------------------------------------------------------------------------------------- API


def route(name: str, pk: int) -> str:
    return reverse(f"members-api:{name}", kwargs={"pk": pk})


def test_the_api_cancels_and_redates_a_batch(registry, users):
    batch = prepared(users, registry, on=timezone.localdate() + DAY)
    api = client_for(users["rg_officer"])
    response = api.post(route("card-batch-issue-date", batch.pk), {"issued_on": "2062-03-01"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["issued_on"]
    today = timezone.localdate().isoformat()
    response = api.post(route("card-batch-issue-date", batch.pk), {"issued_on": today}, format="json")
    assert response.status_code == 200 and response.json()["issued_on"] == today

    response = api.post(route("card-batch-cancel", batch.pk), {}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["reason"]
    response = api.post(route("card-batch-cancel", batch.pk), {"reason": "Sai mẫu"}, format="json")
    body = response.json()
    assert response.status_code == 200, body
    assert (body["state"], body["cancelled_by"], body["cancellation_reason"]) == (
        "cancelled",
        "kg-rg-officer",
        "Sai mẫu",
    )
    assert body["released_requests"] == sorted(CardRequest.objects.values_list("pk", flat=True))
    assert body["cards"] == []
    response = api.post(route("card-batch-cancel", batch.pk), {"reason": "Lần nữa"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["non_field_errors"]
    assert api.get(route("card-batch-xlsx", batch.pk)).status_code == 404


def test_the_api_withdraws_an_approval(registry, users):
    request = approved(users, registry.an)
    response = client_for(users["chair"]).post(
        route("card-request-withdraw", request.pk), {"reason": "Tự rút"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["non_field_errors"]
    api = client_for(users["rg_officer"])
    response = api.post(route("card-request-withdraw", request.pk), {"reason": "Thiếu ảnh"}, format="json")
    body = response.json()
    assert response.status_code == 200, body
    assert (body["state"], body["withdrawn_by"], body["withdrawal_reason"]) == (
        "withdrawn",
        "kg-rg-officer",
        "Thiếu ảnh",
    )
    response = api.post(route("card-request-withdraw", request.pk), {"reason": "Lần nữa"}, format="json")
    assert response.status_code == 400


def test_the_api_refuses_a_viewer_and_another_province(registry, users):
    request = approved(users, registry.an)
    batch = prepared(users, registry, approved(users, registry.binh))
    writes = (
        (route("card-request-withdraw", request.pk), {"reason": "Không"}),
        (route("card-batch-cancel", batch.pk), {"reason": "Không"}),
        (route("card-batch-issue-date", batch.pk), {"issued_on": "2025-01-01"}),
    )
    for role, status in (("viewer", 403), ("outsider", 404)):
        for url, body in writes:
            assert client_for(users[role]).post(url, body, format="json").status_code == status, (role, url)
    assert client_for(users["chair"]).post(*writes[1], format="json").status_code == 404
    assert CardRequest.objects.get(pk=request.pk).state == CardRequest.State.APPROVED
    assert CardPrintBatch.objects.get().state == CardPrintBatch.State.PREPARED
