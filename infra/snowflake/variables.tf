variable "database_name" {
  type        = string
  description = "Database of the pipeline (schemas RAW and ANALYTICS); dbt's SNOWFLAKE_DATABASE."
  default     = "GAME_MARKET"

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]{0,254}$", var.database_name))
    error_message = "database_name must be an unquoted upper-case identifier (A-Z, 0-9, _)."
  }
}

variable "warehouse_name" {
  type        = string
  description = "Warehouse dbt runs on; dbt's SNOWFLAKE_WAREHOUSE."
  default     = "GAME_MARKET_WH"

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]{0,254}$", var.warehouse_name))
    error_message = "warehouse_name must be an unquoted upper-case identifier (A-Z, 0-9, _)."
  }
}

variable "warehouse_size" {
  type        = string
  description = "Size of the warehouse."
  default     = "XSMALL"

  validation {
    condition     = contains(["XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE"], var.warehouse_size)
    error_message = "warehouse_size must be one of XSMALL, SMALL, MEDIUM, LARGE, XLARGE."
  }
}

variable "warehouse_auto_suspend_seconds" {
  type        = number
  description = "Seconds of inactivity after which the warehouse suspends itself."
  default     = 60

  validation {
    condition     = var.warehouse_auto_suspend_seconds >= 60 && var.warehouse_auto_suspend_seconds <= 3600
    error_message = "warehouse_auto_suspend_seconds must be between 60 and 3600."
  }
}

variable "transformer_role_name" {
  type        = string
  description = "Account role dbt uses (SNOWFLAKE_ROLE): reads RAW, builds in ANALYTICS."
  default     = "TRANSFORMER"

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]{0,254}$", var.transformer_role_name))
    error_message = "transformer_role_name must be an unquoted upper-case identifier (A-Z, 0-9, _)."
  }
}

variable "transformer_user_names" {
  type        = list(string)
  description = "Existing Snowflake users granted the transformer role (the user dbt logs in as)."
  default     = []

  validation {
    condition     = alltrue([for u in var.transformer_user_names : can(regex("^[A-Za-z0-9_.@-]+$", u))])
    error_message = "transformer_user_names must hold user names of letters, digits and _.@-."
  }
}

variable "storage_integration_name" {
  type        = string
  description = "Name of the S3 storage integration the lake stage uses."
  default     = "GAME_MARKET_LAKE"

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]{0,254}$", var.storage_integration_name))
    error_message = "storage_integration_name must be an unquoted upper-case identifier (A-Z, 0-9, _)."
  }
}

variable "lake_bucket_name" {
  type        = string
  description = "Lake bucket (infra/aws output lake_bucket_name); the stage reads s3://<bucket>/raw/."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lake_bucket_name))
    error_message = "lake_bucket_name must be a valid S3 bucket name."
  }
}

variable "storage_aws_role_arn" {
  type        = string
  description = "IAM role the storage integration assumes (infra/aws output snowflake_access_role_arn)."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.storage_aws_role_arn))
    error_message = "storage_aws_role_arn must be an IAM role ARN."
  }
}
