from django.db import models


class Endpoint(models.Model):
    slug = models.SlugField(unique=True)
    secret = models.CharField(
        max_length=100, blank=True, help_text="The subscription's whsec_… secret."
    )
    respond_with = models.PositiveSmallIntegerField(
        default=200, help_text="The status this endpoint answers with, to demo retries."
    )

    def __str__(self) -> str:
        return self.slug


class Received(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="received")
    received_at = models.DateTimeField(auto_now_add=True)
    webhook_id = models.CharField(max_length=100, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField()
    verified = models.BooleanField()
    verification_error = models.CharField(max_length=300, blank=True)
    answered = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return self.webhook_id

    @property
    def format(self) -> str:
        if "xml" in self.content_type:
            return "legacy-xml"
        if "cloudevents" in self.content_type:
            return "cloudevents"
        return "standard-webhooks"
