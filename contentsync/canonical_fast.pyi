import re
from collections.abc import Callable

ALIGN: re.Pattern[str]
CALLOUT_CLASS: str
BUTTON_CLASS: str

def escape(text: str) -> str: ...
def project(
    html: str, target: Callable[[str], str], image_name: Callable[[str], str]
) -> str | None: ...
