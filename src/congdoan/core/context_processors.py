from django.conf import settings


def site(request):
    return {"DEMO_MODE": settings.CONGDOAN_DEMO, "DEBUG": settings.DEBUG}
