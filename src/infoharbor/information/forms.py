from typing import Any

from django import forms

from infoharbor.information.models import News, PolicyDocument


class NewsForm(forms.ModelForm[Any]):
    class Meta:
        model = News
        fields = ["notice_type"]


class PolicyDocumentForm(forms.ModelForm[Any]):
    class Meta:
        model = PolicyDocument
        fields = ["policy_type", "document_number", "issuing_body", "effective_date", "in_force"]
        widgets = {"effective_date": forms.DateInput(attrs={"type": "date"})}
