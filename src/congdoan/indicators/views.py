from django.shortcuts import render
from django.views.decorators.http import require_safe

from congdoan.indicators import catalogue


@require_safe
def indicator_list(request):
    """The catalogue: what each indicator counts, for everyone who reads a target's progress."""
    return render(request, "indicators/catalogue.html", {"indicators": catalogue.all_indicators()})
