variable "aws_region" {
  type        = string
  description = "AWS region for every resource of the pipeline, e.g. us-east-1."

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like us-east-1 or eu-west-2."
  }
}

variable "project" {
  type        = string
  description = "Name prefix of every resource (lowercase letters, digits and dashes)."
  default     = "game-market"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,23}$", var.project))
    error_message = "project must be 3-24 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "Deployment stage, used in names and tags: dev, staging or prod."
  default     = "prod"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags added to every resource."
  default     = {}
}

variable "lake_bucket_name" {
  type        = string
  description = "Globally unique name of the S3 bucket that holds the Parquet lake (raw/{endpoint}/dt=YYYY-MM-DD/)."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.lake_bucket_name)) && !strcontains(var.lake_bucket_name, "..")
    error_message = "lake_bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots or dashes."
  }
}

variable "staging_expiration_days" {
  type        = number
  description = "Days after which objects under the tmp/ and staging/ prefixes expire (and incomplete multipart uploads are aborted)."
  default     = 3

  validation {
    condition     = var.staging_expiration_days >= 1 && var.staging_expiration_days <= 30
    error_message = "staging_expiration_days must be between 1 and 30."
  }
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days a replaced or deleted lake object version is kept before it expires."
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 365
    error_message = "noncurrent_version_expiration_days must be between 1 and 365."
  }
}

variable "ecr_keep_images" {
  type        = number
  description = "How many of the newest images the ECR lifecycle rule keeps."
  default     = 10

  validation {
    condition     = var.ecr_keep_images >= 2 && var.ecr_keep_images <= 1000
    error_message = "ecr_keep_images must be between 2 and 1000."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the CloudWatch log groups (worker, flow runs, VPC flow logs), in days."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 365, ... 3653)."
  }
}

variable "create_vpc" {
  type        = bool
  description = "Create a VPC with two private subnets behind a NAT gateway; false to use existing_vpc_id and existing_subnet_ids."
  default     = true
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC created when create_vpc is true (a /16 to /24)."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be an IPv4 CIDR block between /16 and /24."
  }
}

variable "availability_zone_suffixes" {
  type        = list(string)
  description = "The two availability zones of the created private subnets, as suffixes of the region name (a, b gives us-east-1a, us-east-1b)."
  default     = ["a", "b"]

  validation {
    condition     = length(var.availability_zone_suffixes) == 2 && alltrue([for s in var.availability_zone_suffixes : can(regex("^[a-z]$", s))])
    error_message = "availability_zone_suffixes must hold exactly two single letters, e.g. [\"a\", \"b\"]."
  }
}

variable "existing_vpc_id" {
  type        = string
  description = "Existing VPC id (vpc-...) used when create_vpc is false."
  default     = ""

  validation {
    condition     = var.existing_vpc_id == "" || can(regex("^vpc-[0-9a-f]{8,17}$", var.existing_vpc_id))
    error_message = "existing_vpc_id must be empty or a VPC id like vpc-0123456789abcdef0."
  }
}

variable "existing_subnet_ids" {
  type        = list(string)
  description = "Existing private subnet ids (at least two, with a route to the internet through NAT) used when create_vpc is false."
  default     = []

  validation {
    condition     = alltrue([for id in var.existing_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "existing_subnet_ids must hold subnet ids like subnet-0123456789abcdef0."
  }
}

variable "prefect_api_url" {
  type        = string
  description = "PREFECT_API_URL of the Prefect server or Cloud workspace the worker polls (https://...)."

  validation {
    condition     = can(regex("^https://", var.prefect_api_url))
    error_message = "prefect_api_url must be an https:// URL."
  }
}

variable "prefect_work_pool_name" {
  type        = string
  description = "Name of the Prefect ECS work pool the worker serves (make cloud-pool creates it)."
  default     = "ecs"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.prefect_work_pool_name))
    error_message = "prefect_work_pool_name must be lowercase letters, digits and dashes."
  }
}

variable "worker_image_tag" {
  type        = string
  description = "Tag of the pipeline image in ECR that the Prefect worker service runs (build_and_push.sh pushes the git SHA and latest)."
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.worker_image_tag))
    error_message = "worker_image_tag must be a valid Docker tag."
  }
}

variable "worker_cpu" {
  type        = number
  description = "Fargate CPU units of the Prefect worker task."
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.worker_cpu)
    error_message = "worker_cpu must be one of 256, 512, 1024, 2048, 4096."
  }
}

variable "worker_memory" {
  type        = number
  description = "Fargate memory (MiB) of the Prefect worker task; must suit worker_cpu."
  default     = 1024

  validation {
    condition     = var.worker_memory >= 512 && var.worker_memory <= 30720
    error_message = "worker_memory must be between 512 and 30720 MiB."
  }
}

variable "snowflake_storage_aws_iam_user_arn" {
  type        = string
  description = "Phase 3: STORAGE_AWS_IAM_USER_ARN of the Snowflake storage integration (infra/snowflake output). Empty in phase 1: the access role then trusts only this account."
  default     = ""

  validation {
    condition     = var.snowflake_storage_aws_iam_user_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:user/.+$", var.snowflake_storage_aws_iam_user_arn))
    error_message = "snowflake_storage_aws_iam_user_arn must be empty or an IAM user ARN."
  }
}

variable "snowflake_storage_aws_external_id" {
  type        = string
  description = "Phase 3: STORAGE_AWS_EXTERNAL_ID of the Snowflake storage integration (infra/snowflake output). Required together with the IAM user ARN."
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9_+=,.@:/-]{0,1224}$", var.snowflake_storage_aws_external_id))
    error_message = "snowflake_storage_aws_external_id may only hold letters, digits and _+=,.@:/-."
  }
}

# --- Snowflake connection of the flow runs' dbt (non-secret; the password is a secret) ------
# Written to deployments/cloud.env by build_and_push.sh and set as plain environment of the
# flow-run container by the ECS work pool template. The names match infra/snowflake's.

variable "snowflake_account" {
  type        = string
  description = "Snowflake account identifier dbt connects to (SNOWFLAKE_ACCOUNT), <organization>-<account name> as in SNOWFLAKE_ORGANIZATION_NAME-SNOWFLAKE_ACCOUNT_NAME, e.g. ACME-GAMES."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$", var.snowflake_account))
    error_message = "snowflake_account must be an account identifier of letters, digits and _.- (e.g. ACME-GAMES)."
  }
}

variable "snowflake_dbt_user" {
  type        = string
  description = "Snowflake user dbt logs in as in the flow runs (SNOWFLAKE_USER); list it in infra/snowflake's transformer_user_names so it holds the transformer role. Its password goes into the SNOWFLAKE_PASSWORD secret."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.@-]+$", var.snowflake_dbt_user))
    error_message = "snowflake_dbt_user must be a user name of letters, digits and _.@- (as transformer_user_names of infra/snowflake)."
  }
}

variable "snowflake_role" {
  type        = string
  description = "Role dbt uses (SNOWFLAKE_ROLE): transformer_role_name of infra/snowflake."
  default     = "TRANSFORMER"

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]{0,254}$", var.snowflake_role))
    error_message = "snowflake_role must be an unquoted upper-case identifier (A-Z, 0-9, _)."
  }
}

variable "snowflake_warehouse" {
  type        = string
  description = "Warehouse dbt runs on (SNOWFLAKE_WAREHOUSE): warehouse_name of infra/snowflake."
  default     = "GAME_MARKET_WH"

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]{0,254}$", var.snowflake_warehouse))
    error_message = "snowflake_warehouse must be an unquoted upper-case identifier (A-Z, 0-9, _)."
  }
}

variable "snowflake_database" {
  type        = string
  description = "Database dbt builds in (SNOWFLAKE_DATABASE): database_name of infra/snowflake."
  default     = "GAME_MARKET"

  validation {
    condition     = can(regex("^[A-Z][A-Z0-9_]{0,254}$", var.snowflake_database))
    error_message = "snowflake_database must be an unquoted upper-case identifier (A-Z, 0-9, _)."
  }
}
