"""Documents other than invoices (statements, credit notes) as PDFs in the invoice bucket, with presigned links."""

from __future__ import annotations


class S3Documents:
    def __init__(self, s3_client, bucket: str):
        self._s3 = s3_client
        self._bucket = bucket

    def put_pdf(self, key: str, body: bytes, metadata: dict[str, str] | None = None) -> None:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=body,
            ContentType="application/pdf",
            ServerSideEncryption="AES256",
            Metadata=metadata or {},
        )

    def link(self, key: str, ttl_seconds: int) -> str:
        return self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=ttl_seconds
        )
