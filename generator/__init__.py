"""crm-codegen: an OpenAPI-spec-first toolkit for the CRM.COM APIs."""
