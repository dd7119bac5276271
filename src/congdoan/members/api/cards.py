"""The member cards API: requests (made by a CĐCS, decided by the upper level), print batches with their
files, the cards issued, and the renewal campaign's coverage per unit. Thin handlers over
``members.cards``; a refusal is a 400 keyed by the field it is about, 403 when the role or level may not."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ReadOnlyModelViewSet

from congdoan.accounts.api.scoped import ScopedRelatedField, ScopedViewSetMixin
from congdoan.accounts.models import Action
from congdoan.accounts.scope import get_for, restrict
from congdoan.members import card_exports, cards, downloads
from congdoan.members.api.serializers import JobSerializer, grassroots_field
from congdoan.members.api.views import job_accepted
from congdoan.members.card_forms import CardRequestFilterSet, MemberCardFilterSet
from congdoan.members.models import CardPrintBatch, CardReason, CardRequest, CardType, Member, MemberCard
from congdoan.units.api.serializers import unit_field
from congdoan.units.models import Unit
from congdoan.units.selectors import children_on

ID = r"[0-9]+"
PDF = OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy("PDF file: ten cards on an A4 page"))
XLSX = OpenApiResponse(OpenApiTypes.BINARY, description=gettext_lazy(".xlsx file for the card printer"))


# ---------------------------------------------------------------------------------------- serializers


class CardItemSerializer(serializers.Serializer):
    member = serializers.CharField(
        source="member.code", read_only=True, help_text=gettext_lazy("Member code")
    )
    full_name = serializers.CharField(source="member.full_name", read_only=True)
    reason = serializers.ChoiceField(choices=CardReason.choices, read_only=True)
    card_type = serializers.ChoiceField(choices=CardType.choices, read_only=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True, allow_null=True)
    card = serializers.CharField(source="card.number", read_only=True, allow_null=True, default=None)
    stands = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy(
            "Whether the member still stands in the grassroots union that asked: one who left or moved "
            "gets no card from this request"
        ),
    )


class CardRequestSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=gettext_lazy("Grassroots union code")
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    withdrawn_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = CardRequest
        fields = [
            "id",
            "unit",
            "unit_name",
            "state",
            "note",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "rejection_reason",
            "withdrawn_by",
            "withdrawn_at",
            "withdrawal_reason",
            "items",
        ]
        read_only_fields = fields

    @extend_schema_field(CardItemSerializer(many=True))
    def get_items(self, request: CardRequest) -> list:
        return CardItemSerializer(cards.request_items(request), many=True).data


class CardWishSerializer(serializers.Serializer):
    member = ScopedRelatedField(
        action=Action.CHANGE,
        slug_field="code",
        queryset=Member.objects.all(),
        help_text=gettext_lazy("Member code"),
    )
    reason = serializers.ChoiceField(
        choices=CardReason.choices,
        help_text=gettext_lazy("New card, replacement (lost, damaged, changed details), renewal"),
    )
    card_type = serializers.ChoiceField(choices=CardType.choices, default=CardType.REGULAR)


class CardRequestCreateSerializer(serializers.Serializer):
    # The API docs show the docstring: through gettext, it reads in the user's language.
    __doc__ = gettext_lazy("A grassroots union's request for cards for a list of its members.")

    unit = grassroots_field(help_text=gettext_lazy("Grassroots union code"))
    members = CardWishSerializer(many=True, allow_empty=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def create(self, validated_data):
        return cards.request_cards(
            user=self.context["request"].user,
            unit=validated_data["unit"],
            wishes=[cards.CardWish(**wish) for wish in validated_data["members"]],
            note=validated_data["note"],
        )

    def to_representation(self, instance):
        return CardRequestSerializer(instance, context=self.context).data


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=gettext_lazy("Reason for rejecting"))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text=gettext_lazy("Reason for withdrawing the approval")
    )


class CancelBatchSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=gettext_lazy("Reason for cancelling the batch"))


class IssueDateSerializer(serializers.Serializer):
    issued_on = serializers.DateField(help_text=gettext_lazy("Date of issue printed on the cards"))


class CardFaceSerializer(serializers.Serializer):
    number = serializers.CharField(
        help_text=gettext_lazy("Card number (issued, or to be issued when the cards are handed out)")
    )
    member_code = serializers.CharField()
    full_name = serializers.CharField()
    unit_name = serializers.CharField(help_text=gettext_lazy("Grassroots union"))
    card_type = serializers.CharField()
    reason = serializers.CharField()
    issued_on = serializers.DateField()


class CardBatchSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=gettext_lazy("Printed by")
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    cancelled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    released_requests = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=gettext_lazy("A cancelled batch: the numbers of the requests it held, waiting again"),
    )
    cards = serializers.SerializerMethodField(
        help_text=gettext_lazy("The cards of the batch, as printed on them")
    )

    class Meta:
        model = CardPrintBatch
        fields = [
            "id",
            "unit",
            "unit_name",
            "state",
            "issued_on",
            "note",
            "created_by",
            "created_at",
            "cancelled_by",
            "cancelled_at",
            "cancellation_reason",
            "released_requests",
            "cards",
        ]
        read_only_fields = fields

    @extend_schema_field(CardFaceSerializer(many=True))
    def get_cards(self, batch: CardPrintBatch) -> list:
        return CardFaceSerializer(card_exports.faces(batch), many=True).data


class ScopedRequests(serializers.PrimaryKeyRelatedField):
    """Card requests of the user's subtree, by id; others do not exist."""

    def get_queryset(self):
        request = self.context.get("request")
        return restrict(CardRequest.objects.all(), getattr(request, "user", None), Action.CHANGE)


class CardBatchCreateSerializer(serializers.Serializer):
    __doc__ = gettext_lazy(
        "A print batch of an upper-level union, made of the approved requests of the "
        "grassroots unions under it."
    )

    unit = unit_field(
        Action.CHANGE,
        help_text=gettext_lazy("Code of the unit printing the cards (above the grassroots unions)"),
    )
    requests = ScopedRequests(
        queryset=CardRequest.objects.all(),
        many=True,
        allow_empty=False,
        help_text=gettext_lazy("Numbers of the approved requests"),
    )
    issued_on = serializers.DateField(
        default=timezone.localdate, help_text=gettext_lazy("Date of issue printed on the cards")
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def create(self, validated_data):
        return cards.create_print_batch(user=self.context["request"].user, **validated_data)

    def to_representation(self, instance):
        return CardBatchSerializer(instance, context=self.context).data


class MemberCardSerializer(serializers.ModelSerializer):
    member = serializers.SlugRelatedField(slug_field="code", read_only=True)
    replaces = serializers.SlugRelatedField(slug_field="number", read_only=True)

    class Meta:
        model = MemberCard
        fields = ["id", "number", "member", "card_type", "issued_on", "reason", "replaces", "batch"]
        read_only_fields = fields


class CoverageSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text=gettext_lazy("Unit code"))
    unit_name = serializers.CharField()
    with_card = serializers.IntegerField(
        help_text=gettext_lazy("Members with a card issued since the start of the renewal campaign")
    )
    members = serializers.IntegerField(help_text=gettext_lazy("Members of the unit and the units under it"))
    percent = serializers.FloatField(allow_null=True)


class CoverageQuerySerializer(serializers.Serializer):
    unit = serializers.CharField(
        required=False, help_text=gettext_lazy("Unit code (default: the user's unit)")
    )
    since = serializers.DateField(
        required=False,
        help_text=gettext_lazy("Start date of the renewal campaign (default: 1 January of the year of `at`)"),
    )
    at = serializers.DateField(required=False, help_text=gettext_lazy("As of date (default: today)"))


# ------------------------------------------------------------------------------------------ viewsets


class WorkflowViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    # Created through a service, never edited or deleted by hand: each later step is an action.
    lookup_value_regex = ID
    action_serializers: dict = {}

    def get_serializer_class(self):
        return self.action_serializers.get(self.action, self.serializer_class)

    def object_and_body(self) -> tuple:
        """The object an action is about (through the scope, for the action's right), then its body."""
        obj = self.get_object()
        body = self.get_serializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        return obj, body.validated_data


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Member card requests")),
    retrieve=extend_schema(summary=gettext_lazy("One card request, with its list of members")),
    create=extend_schema(
        summary=gettext_lazy("A grassroots union requests cards for its members"),
        request=CardRequestCreateSerializer,
        responses={201: CardRequestSerializer},
    ),
)
class CardRequestViewSet(WorkflowViewSet):
    # The API docs and the browsable API show the docstring: through gettext, it reads in the user's language.
    __doc__ = gettext_lazy(
        "Card requests: a grassroots union lists the members who need a card (new card, "
        "replacement, renewal); the upper-level union approves or rejects (giving the "
        "reason); a grassroots union does not approve its own requests."
    )

    queryset = CardRequest.objects.all()
    serializer_class = CardRequestSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = CardRequestFilterSet
    action_serializers = {
        "create": CardRequestCreateSerializer,
        "reject": RejectSerializer,
        "withdraw": WithdrawSerializer,
    }

    def get_queryset(self):
        return cards.requests_for(self.request.user, self.read_action)

    @extend_schema(
        summary=gettext_lazy("The upper level approves the request"),
        request=None,
        responses=CardRequestSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        card_request = cards.approve_request(request=self.get_object(), user=request.user)
        return Response(CardRequestSerializer(card_request).data)

    @extend_schema(
        summary=gettext_lazy("The upper level rejects the request, giving the reason"),
        responses=CardRequestSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        card_request, body = self.object_and_body()
        card_request = cards.reject_request(request=card_request, user=request.user, reason=body["reason"])
        return Response(CardRequestSerializer(card_request).data)

    @extend_schema(
        summary=gettext_lazy(
            "The upper level withdraws its approval, giving the reason (none of the cards in a print batch)"
        ),
        responses=CardRequestSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        card_request, body = self.object_and_body()
        card_request = cards.withdraw_request(request=card_request, user=request.user, reason=body["reason"])
        return Response(CardRequestSerializer(card_request).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Print batches")),
    retrieve=extend_schema(summary=gettext_lazy("One print batch, with its cards")),
    create=extend_schema(
        summary=gettext_lazy("Prepare a print batch from approved requests"),
        request=CardBatchCreateSerializer,
        responses={201: CardBatchSerializer},
    ),
)
class CardBatchViewSet(WorkflowViewSet):
    __doc__ = gettext_lazy(
        "Print batches of an upper-level union: a PDF file of the cards, an .xlsx list for "
        "the printer; once the cards are printed and handed out, each card is recorded in "
        "the member's card history."
    )

    queryset = CardPrintBatch.objects.all()
    serializer_class = CardBatchSerializer
    filter_backends = []
    action_serializers = {
        "create": CardBatchCreateSerializer,
        "cancel": CancelBatchSerializer,
        "issue_date": IssueDateSerializer,
    }

    def get_queryset(self):
        return cards.batches_for(self.request.user, self.read_action)

    @extend_schema(
        summary=gettext_lazy("Cards printed and handed out: record the cards in the members' records"),
        request=None,
        responses=CardBatchSerializer,
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        batch = self.get_object()
        cards.issue_batch(batch=batch, user=request.user)
        batch.refresh_from_db()
        return Response(CardBatchSerializer(batch).data)

    @extend_schema(
        summary=gettext_lazy(
            "Cancel a batch not yet handed out, giving the reason: its requests wait for another batch"
        ),
        responses=CardBatchSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        batch, body = self.object_and_body()
        batch = cards.cancel_batch(batch=batch, user=request.user, reason=body["reason"])
        return Response(CardBatchSerializer(batch).data)

    @extend_schema(
        summary=gettext_lazy("Change the date of issue of a batch not yet handed out"),
        responses=CardBatchSerializer,
    )
    @action(detail=True, methods=["post"], url_path="issue-date")
    def issue_date(self, request, pk=None):
        batch, body = self.object_and_body()
        batch = cards.change_issue_date(batch=batch, user=request.user, issued_on=body["issued_on"])
        return Response(CardBatchSerializer(batch).data)

    @extend_schema(
        summary=gettext_lazy("Cards to print (PDF)"),
        description=gettext_lazy(
            "A batch of more than 50 cards is laid out by a background job: the answer is 202 with the "
            "job (`/member-jobs/{id}/`, also in `Location`), whose file is the PDF."
        ),
        responses={200: PDF, 202: JobSerializer},
    )
    @action(detail=True)
    def pdf(self, request, pk=None):
        batch = card_exports.printable(self.get_object())
        if downloads.sheet_is_long(batch):
            return job_accepted(downloads.start_card_sheet(user=request.user, batch=batch))
        response = HttpResponse(card_exports.sheet_pdf(batch), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{card_exports.file_stem(batch)}.pdf"'
        return response

    @extend_schema(summary=gettext_lazy("List for the card printer (.xlsx)"), responses={200: XLSX})
    @action(detail=True)
    def xlsx(self, request, pk=None):
        batch = card_exports.printable(self.get_object())
        return downloads.download(
            lambda stream: card_exports.write_xlsx(stream, batch), f"{card_exports.file_stem(batch)}.xlsx"
        )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Cards issued")),
    retrieve=extend_schema(summary=gettext_lazy("One card issued")),
)
class MemberCardViewSet(ScopedViewSetMixin, ReadOnlyModelViewSet):
    __doc__ = gettext_lazy(
        "The card history of the members within the user's scope: card number, card type, "
        "date of issue, reason, the card replaced."
    )

    queryset = MemberCard.objects.select_related("member", "replaces").order_by("-id")
    serializer_class = MemberCardSerializer
    filter_backends = [DjangoFilterBackend]  # its form refuses what the database cannot read (a NUL)
    filterset_class = MemberCardFilterSet
    lookup_value_regex = ID


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Card renewal progress per unit"),
        description=gettext_lazy(
            "The chosen unit and the units under it (in the organisation tree on the date "
            "`at`): the members with a card issued from `since` to `at` out of all members of "
            "the unit and the units under it."
        ),
        parameters=[CoverageQuerySerializer],
        responses=CoverageSerializer(many=True),
    )
)
class CardCoverageViewSet(GenericViewSet):
    __doc__ = gettext_lazy(
        "Progress of the member card renewal campaign: numerator and denominator per unit, "
        "summed up the tree."
    )

    queryset = Unit.objects.none()  # names the model for the schema; units are read through the scope
    serializer_class = CoverageSerializer
    pagination_class = None

    def list(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("at") or timezone.localdate()
        since = query.validated_data.get("since") or on.replace(month=1, day=1)
        cards.check_campaign(since, on)
        code = query.validated_data.get("unit")
        if code:
            unit = get_for(Unit.objects.all(), request.user, Action.VIEW, code=code)
        elif request.user.unit_id:
            unit = request.user.unit
        else:
            raise serializers.ValidationError({"unit": [_("Choose a unit.")]})
        shown = [unit, *(link.unit for link in children_on(user=request.user, parent=unit, on=on))]
        coverage = cards.card_coverage([u.pk for u in shown], on, since)
        rows = [
            {
                "unit": u.code,
                "unit_name": u.name,
                "with_card": coverage[u.pk][0],
                "members": coverage[u.pk][1],
                "percent": cards.coverage_percent(*coverage[u.pk]),
            }
            for u in shown
        ]
        return Response(CoverageSerializer(rows, many=True).data, status=status.HTTP_200_OK)
