import uuid

from congdoan.audit.context import change_context


class ChangeContextMiddleware:
    """Gives each request an id that every change it makes carries, and returns it as X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        with change_context(request=request, request_id=request.id):
            response = self.get_response(request)
        response["X-Request-ID"] = str(request.id)
        return response
