"""Uploaded files: too big ones are not kept, and their type is read from
their content.

``SizeLimitUploadHandler`` comes first among the upload handlers. It passes
a file's chunks on to Django's handlers (memory, then a temporary file)
until the file passes settings.UPLOAD_MAX_BYTES; after that it drops the
rest unread by anyone, and hands the form a ``TooBigUpload``: no content,
only the size, so the form can say how big the file was. A 10 GB upload
costs the server nothing but reading it off the network.

``detect_type`` names a file's type from its first bytes (PDF, PNG, JPEG,
HEIC), whatever it is called and whatever the browser says it is."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

# What a file's first bytes say it is, and the extension it is stored with.
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/heic": ".heic"}
HEAD_BYTES = 16


def detect_type(head: bytes) -> str | None:
    """The file's type from its first bytes (at least ``HEAD_BYTES``), or
    None for anything else: a program, a web page, a renamed document."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return "image/heic"
    return None


class TooBigUpload(UploadedFile):
    """Stands in for a file that was larger than the limit: its name and
    size, and nothing of its content."""

    def __init__(self, name, content_type, size):
        super().__init__(file=None, name=name, content_type=content_type, size=size)
        self.too_big = True

    def open(self, mode=None):
        raise ValueError("A file that was too big to keep has no content.")


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.too_big = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.too_big = True
        # None stops the chunk here: the handlers after this one never see it.
        return None if self.too_big else raw_data

    def file_complete(self, file_size):
        if not self.too_big:
            return None  # the next handler's file is the upload
        return TooBigUpload(self.file_name, self.content_type, file_size)
