from django.http import JsonResponse
from .models import Article as A


def index(request):
    items = [{"t": a.title, "author": a.author.name} for a in A.objects.all()]
    count = len(A.objects.all())
    return JsonResponse({"items": items, "n": count})
