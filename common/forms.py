"""The project's form renderer: every field Django renders as a group goes through the workspace's field template."""

from django.forms.renderers import TemplatesSetting


class WorkspaceFormRenderer(TemplatesSetting):
    """Django's form templates from the project's template engine, with `_field.html` for `{{ form.x.as_field_group }}`.

    `_field.html` marks optional fields "(optional)", puts radio and checkbox groups in a fieldset with a legend and a
    single checkbox before its label (the GOV.UK Design System's form patterns), so every form that renders its fields
    as groups, or as a whole with `{{ form }}`, gets them without spelling them out. TemplatesSetting (rather than
    DjangoTemplates) is what finds a template in the project's own template directory.
    """

    field_template_name = "_field.html"
