from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired

from app.forms import Form


class UploadForm(Form):
    file = FileField(_l("Case (.zip) or rubric (.yaml)"),
                     validators=[FileRequired(message=_l("Choose a case's zip or a rubric's YAML file to upload."))],
                     description=_l("A case: its folder as a .zip, with case.yaml and each document in every language "
                                    "(like story.en.md and story.nb.md). A rubric: its .yaml file. At most 5 MB."),
                     render_kw={"accept": ".zip,.yaml,.yml,application/zip,application/x-yaml,text/yaml"})


class ConfirmImportForm(Form):
    # The latest version the preview compared with (0: none); another import meanwhile shows the preview again.
    based_on = IntegerField(validators=[InputRequired()])


class DiscardForm(Form):
    confirmed = HiddenField()
