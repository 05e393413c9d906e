"""What each workflow takes and returns (its input, result, Update and decision payloads), one module per
workflow. They live apart from the workflow code so the worker passes them through the sandbox: the
sandbox re-imports a workflow's module for every run, and a pydantic model defined there would be
rebuilt each time (docs/performance.md). The workflow modules import from here, so
``from workflows.asset_inquiry import AssetInquiryRequest`` keeps working."""
