"""Reading what a flow run left in the Prefect API: its artifacts and its log lines."""

from __future__ import annotations

from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.logging.handlers import APILogHandler


async def run_details(flow_run_id: UUID) -> tuple[str, str]:
    await APILogHandler.aflush()
    async with get_client() as client:
        artifacts = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
        logs: list[str] = []
        while True:  # the API answers in pages (200 lines by default)
            page = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                offset=len(logs),
            )
            logs += [log.message for log in page]
            if not page:
                break
    markdown = "\n".join(str(a.data) for a in artifacts)
    return markdown, "\n".join(logs)
