"""Admin form for :class:`~nashr.articles.images.NewsImage`: alt text is
required (WCAG 2.2 success criterion 1.1.1) wherever the field is shown."""

from wagtail.images.forms import BaseImageForm


class NewsImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "description" in self.fields:
            field = self.fields["description"]
            field.required = True
            field.label = "النص البديل"
            field.help_text = "وصف قصير للصورة يقرؤه قارئ الشاشة لمن لا يرى الصورة."
