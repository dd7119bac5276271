"""What the units API reads and writes. References to units are by code and go through the user's scope."""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from congdoan.accounts.api.scoped import ScopedRelatedField
from congdoan.accounts.models import Action
from congdoan.core.api import CleanModelSerializer, as_api_error
from congdoan.members import services as member_services
from congdoan.units import services
from congdoan.units.models import (
    Area,
    Decision,
    Employer,
    EmployerWorkforce,
    Reorganisation,
    ReorganisationUnit,
    Unit,
    UnitLink,
    UnitName,
    UnitType,
)

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


@contextmanager
def service_errors(rename: dict[str, str]):
    """A service's refusal as a 400 keyed by the fields of the body (see ``as_api_error``)."""
    try:
        yield
    except DjangoValidationError as error:
        raise as_api_error(error, rename) from None


def unit_field(action: str, **kwargs) -> ScopedRelatedField:
    """A unit named by its code, among those the user may ``action``."""
    return ScopedRelatedField(action=action, slug_field="code", queryset=Unit.objects.all(), **kwargs)


def optional_unit(help_text: str) -> ScopedRelatedField:
    """A unit the user may reorganise, which a reorganisation may name or leave out."""
    return unit_field(Action.REORGANISE, required=False, allow_null=True, default=None, help_text=help_text)


def area_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Administrative area code"),
    )


class UnitTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitType
        fields = ["code", "name", "level", "description"]


# ------------------------------------------------------------------------------------------------ units


@dataclass(frozen=True)
class TreeOn:
    """The tree on one date, for the units being shown: each unit's link and every name involved."""

    on: datetime.date
    links: dict[int, UnitLink]
    names: dict[int, UnitName]


class UnitSerializer(serializers.ModelSerializer):
    """A unit as it stands today, or, given a ``TreeOn`` in the context, as it stood on that date."""

    unit_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level = serializers.CharField(source="unit_type.level", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Parent unit code (on the date `at`, if given)")
    )
    parent_name = serializers.CharField(
        source="parent.name",
        read_only=True,
        allow_null=True,
        help_text=_("Parent unit name (on the date `at`, if given)"),
    )
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "short_name",
            "unit_type",
            "level",
            "sector",
            "area",
            "parent",
            "parent_name",
            "depth",
            "founded_on",
            "dissolved_on",
            "is_active",
            "address",
            "phone",
            "email",
            "note",
        ]
        read_only_fields = fields

    def to_representation(self, unit):
        data = super().to_representation(unit)
        tree: TreeOn | None = self.context.get("tree_on")
        if tree is not None:
            link, name = tree.links[unit.pk], tree.names.get(unit.pk)
            parent_name = tree.names.get(link.parent_id)
            data.update(
                name=name.name if name else unit.name,
                short_name=name.short_name if name else unit.short_name,
                parent=link.parent.code if link.parent else None,
                parent_name=parent_name.name if parent_name else None,
                depth=link.depth,
                is_active=unit.is_active_on(tree.on),
            )
        return data


class UnitUpdateSerializer(CleanModelSerializer):
    """The plain fields of a unit. Name and parent change only through a reorganisation with a decision."""

    area = area_field()

    class Meta:
        model = Unit
        fields = ["address", "phone", "email", "note", "sector", "area"]

    def to_representation(self, unit):
        return UnitSerializer(unit, context=self.context).data


class DecisionSerializer(CleanModelSerializer):
    issuer = unit_field(
        Action.CHANGE,
        required=False,
        allow_null=True,
        help_text=_("Code of the issuing unit; blank: the user's unit"),
    )
    issuer_name = serializers.CharField(source="issuer.name", read_only=True, allow_null=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "number", "signed_on", "signer", "issuer", "issuer_name", "summary", "has_file"]

    @extend_schema_field(serializers.BooleanField())
    def get_has_file(self, decision) -> bool:
        return bool(decision.file)

    def validate(self, attrs):
        if attrs.get("issuer") is None:
            attrs["issuer"] = self.context["request"].user.unit
        return super().validate(attrs)

    def create(self, validated_data):
        return services.record_decision(**validated_data)


class UnitSpecSerializer(serializers.Serializer):
    """What a new unit is: its code, name and type (``services.NewUnit``)."""

    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=255)
    short_name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    unit_type = serializers.SlugRelatedField(slug_field="code", queryset=UnitType.objects.all())
    sector = serializers.ChoiceField(
        choices=Unit._meta.get_field("sector").choices, required=False, allow_blank=True, default=""
    )
    area = area_field()
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    spec_fields = ("code", "name", "short_name", "unit_type", "sector", "area", "address", "children")

    @classmethod
    def spec(cls, attrs: dict) -> services.NewUnit:
        return services.NewUnit(**{name: value for name, value in attrs.items() if name in cls.spec_fields})


class NewUnitSerializer(UnitSpecSerializer):
    """A new unit inside a merge; a split part also names the units it takes over."""

    def validate(self, attrs) -> services.NewUnit:
        return self.spec(attrs)


class SplitPartSerializer(NewUnitSerializer):
    children = unit_field(
        Action.REORGANISE,
        many=True,
        required=False,
        default=list,
        help_text=_("Codes of the units under it that move to the new unit"),
    )


class UnitCreateSerializer(UnitSpecSerializer):
    """Founding a unit under a parent the user may reorganise (only a superuser founds a national unit)."""

    parent = unit_field(Action.REORGANISE, allow_null=True, help_text=_("Parent code"))
    founded_on = serializers.DateField()
    decision = DecisionSerializer(
        required=False, allow_null=True, default=None, help_text=_("Founding decision (if any)")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_parent(self, parent):
        if parent is None and not self.context["request"].user.is_superuser:
            raise serializers.ValidationError(_("Choose the unit the new unit belongs to."))
        return parent

    def create(self, validated_data):
        decision = validated_data["decision"]
        with service_errors({"effective_on": "founded_on"}):
            return services.found_unit(
                spec=self.spec(validated_data),
                parent=validated_data["parent"],
                founded_on=validated_data["founded_on"],
                decision=services.record_decision(**decision) if decision else None,
                note=validated_data["note"],
            )

    def to_representation(self, unit):
        return UnitSerializer(unit, context=self.context).data


class ReorganiseSerializer(serializers.Serializer):
    """What every reorganisation carries: the decision that makes it and the day it takes effect.

    ``save(unit=…)`` records the decision and hands the unit and the validated input (named as the
    service names its arguments) to the subclass's ``reorganise``, which calls the service; the caller
    wraps both in one transaction. A refusal from the service names the field the client sent:
    ``service_fields`` maps the service's names to the body's (the unit of the URL is no field of the
    body, so refusals about it are non-field errors).
    """

    decision = DecisionSerializer()
    effective_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")

    service_fields: dict[str, str] = {}

    def create(self, validated_data):
        unit = validated_data.pop("unit")
        with service_errors(self.service_fields):
            validated_data["decision"] = services.record_decision(**validated_data.pop("decision"))
            return self.reorganise(unit, validated_data)

    def to_representation(self, reorganisation):
        return ReorganisationSerializer(reorganisation, context=self.context).data


class UnitMoveSerializer(ReorganiseSerializer):
    parent = unit_field(Action.REORGANISE, help_text=_("New parent unit code"))

    service_fields = {"units": NON_FIELD}

    def reorganise(self, unit, data):
        return services.move_units(units=[unit], new_parent=data.pop("parent"), **data)


class UnitMergeSerializer(ReorganiseSerializer):
    sources = unit_field(
        Action.REORGANISE,
        many=True,
        required=False,
        default=list,
        help_text=_("Other units merging together with this one"),
    )
    into = optional_unit(_("Merge into an existing unit (code)"))
    new_unit = NewUnitSerializer(
        required=False, allow_null=True, default=None, help_text=_("Or merge into a new unit")
    )
    new_parent = optional_unit(_("Parent of the new unit"))

    service_fields = {"code": "new_unit", "name": "new_unit", "parent": "new_parent"}

    def reorganise(self, unit, data):  # the members of grassroots unions follow into the merged one
        return member_services.merge_grassroots_unions(sources=[unit, *data.pop("sources")], **data)


class UnitSplitSerializer(ReorganiseSerializer):
    parts = SplitPartSerializer(many=True)
    end_source = serializers.BooleanField(
        default=True, help_text=_("Split (the old unit ends) or split off a part")
    )

    service_fields = {"source": NON_FIELD, "code": "parts", "name": "parts", "parent": "parts"}

    def reorganise(self, unit, data):
        return services.split_unit(source=unit, **data)


class UnitRenameSerializer(ReorganiseSerializer):
    name = serializers.CharField(max_length=255)
    short_name = serializers.CharField(max_length=120, required=False, allow_null=True, default=None)

    service_fields = {"unit": NON_FIELD}

    def reorganise(self, unit, data):
        return services.rename_unit(unit=unit, **data)


class UnitDissolveSerializer(ReorganiseSerializer):
    successor = optional_unit(_("Successor unit (code)"))
    children_to = optional_unit(_("Move the units under it to this unit (code)"))
    members_to = optional_unit(
        _(
            "Grassroots union (code) that receives the members of the dissolved grassroots "
            "union; blank: their membership ends because of the dissolution"
        )
    )

    service_fields = {"unit": NON_FIELD, "to_unit": "members_to", "member": NON_FIELD}

    def reorganise(self, unit, data):
        return member_services.dissolve_grassroots_union(unit=unit, **data)


# -------------------------------------------------------------------------------------------- history


class ReorganisationUnitSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="unit.code", read_only=True)
    name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ReorganisationUnit
        fields = ["code", "name", "role"]


class ReorganisationSerializer(serializers.ModelSerializer):
    decision = DecisionSerializer(read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    involved = ReorganisationUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Reorganisation
        fields = ["id", "kind", "effective_on", "decision", "unit", "involved", "note", "created_at"]


class ParentLinkSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent_name = serializers.SerializerMethodField(help_text=_("Parent unit name on the start date"))
    reorganisation = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = UnitLink
        fields = ["parent", "parent_name", "valid_from", "valid_to", "reorganisation"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent_name(self, link) -> str | None:
        name = self.context["parent_names"].get(link.pk)
        return name.name if name else None


class NameSerializer(serializers.ModelSerializer):
    reorganisation = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = UnitName
        fields = ["name", "short_name", "valid_from", "valid_to", "reorganisation"]


class UnitHistorySerializer(serializers.Serializer):
    parents = ParentLinkSerializer(many=True, help_text=_("Parent units over time"))
    names = NameSerializer(many=True, help_text=_("Names over time"))
    reorganisations = ReorganisationSerializer(many=True, help_text=_("Reorganisations over time"))


# ------------------------------------------------------------------------------------------ employers


class EmployerSerializer(CleanModelSerializer):
    unit = unit_field(Action.CHANGE, help_text=_("Grassroots union code"))
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    area = area_field()

    class Meta:
        model = Employer
        fields = [
            "id",
            "unit",
            "unit_name",
            "name",
            "tax_code",
            "sector",
            "area",
            "workforce",
            "female_workforce",
            "workforce_on",
        ]
        extra_kwargs = {"female_workforce": {"help_text": _("Cannot exceed the workforce.")}}

    def validate(self, attrs):
        employer = self.instance
        if employer is not None and employer.has_dated_workforce:
            changed = [
                name
                for name in Employer.WORKFORCE_FIELDS
                if name in attrs and attrs[name] != getattr(employer, name)
            ]
            if changed:
                message = _(
                    "This employer keeps its workforce over time: record a dated figure through "
                    "/api/employer-workforce/."
                )
                raise serializers.ValidationError({name: [message] for name in changed})
        return super().validate(attrs)


class EmployerWorkforceSerializer(serializers.ModelSerializer):
    employer = ScopedRelatedField(
        slug_field="id", queryset=Employer.objects.all(), action=Action.CHANGE, help_text=_("Employer id")
    )
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = EmployerWorkforce
        fields = ["id", "employer", "employer_name", "on", "workforce", "female_workforce"]
        # Recording a day again replaces its figure (``services.record_workforce``), not a duplicate.
        validators = []
        extra_kwargs = {
            "on": {"help_text": _("The day the workforce was counted (up to today)")},
            "female_workforce": {"help_text": _("Cannot exceed the workforce.")},
        }

    def create(self, validated_data):
        with service_errors({}):
            return services.record_workforce(**validated_data)
