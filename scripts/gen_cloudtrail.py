#!/usr/bin/env python3
"""Generate realistic, deterministic AWS CloudTrail records for tests, demos and benchmarks.

The records follow the CloudTrail record schema (eventVersion 1.08/1.09): userIdentity of
type IAMUser, AssumedRole (with sessionContext/sessionIssuer), Root, AWSService (with
invokedBy) and FederatedUser; eventTime (ISO 8601, UTC, strictly increasing); real
eventSource/eventName pairs for about 30 services with service-shaped (nested, sometimes null)
requestParameters and responseElements; errorCode/errorMessage on about 5% of records;
ConsoleLogin sign-ins with additionalEventData.MFAUsed and responseElements.ConsoleLogin;
AwsServiceEvent records; S3/Lambda data events; tlsDetails; and so on.

What is guaranteed (tests may rely on it):
  * The output depends only on the options: the same options give byte-identical output
    on any Python 3.11+ (random.Random with an integer seed is stable across versions; no
    clock, hash order or environment is read). gzip output is identical too for the same
    zlib: the gzip header carries no file name and mtime 0.
  * For one seed and the same fractions, the record stream is the same whatever --records or
    --size-mb says: a shorter output is a prefix of a longer one.
  * --iam-fraction F: a fraction F of records (exactly floor or ceil of N*F) are IAM
    policy-change events: eventSource iam.amazonaws.com and one of the 19 eventNames of
    CloudGuard D9.AWS.MON.04 (the 16 of CIS 3.4/4.4/5.4, plus SetDefaultPolicyVersion,
    AddUserToGroup, UpdateAssumeRolePolicy). They are dealt from a reshuffled deck, so every
    one of the 19 appears once N*F >= 19. No other record carries those IAM eventNames.
  * --cis-fraction C: a fraction C of records are the other events named by the CIS AWS
    Foundations monitoring controls (CloudTrail, KMS, S3 bucket policy, Config, security
    groups, NACLs, gateways, route tables, VPCs, Organizations; 75 eventNames), also dealt
    from a deck, so all of them appear once N*C >= 75 (the default 0.16 covers 500 records).
    Organizations' and IoT's own CreatePolicy/AttachPolicy also occur (not IAM events).
  * 2.5% of records are ConsoleLogin, dealt from a deck of variants (IAMUser/SSO role/Root;
    MFAUsed Yes/No; Success, or Failure with errorMessage "Failed authentication"), and 1.2%
    are Root activity (plain API calls, calls with userIdentity.invokedBy, and sign-in
    AwsServiceEvent records). errorCodes matching "*UnauthorizedOperation" and
    "AccessDenied*", sourceIPAddress "delivery.logs.amazonaws.com" and S3 HeadBucket occur in
    the general mix, so every CIS monitoring pattern has matching and non-matching records.
  * Read-only Describe/List/Get calls are the majority (about 70%), as in real trails.
  * S3 object calls and Lambda Invoke are data events: eventCategory "Data",
    managementEvent false. Every other record has eventCategory "Management".

Output formats:
  ndjson   one compact JSON record per line (CloudWatch Logs events as CloudTrail delivers them)
  records  a CloudTrail log file: {"Records":[...]} on one line, as CloudTrail writes to S3

--size-mb M writes records while the output stays within M*1,000,000 bytes of JSON (counted
before gzip compression), streaming: memory use does not grow with the size, so 1000 (1 GB)
works. Without --size-mb, --records N (default 1000) records are written.

Examples:
  scripts/gen_cloudtrail.py --records 500 --seed 1 > corpus/cloudtrail_sample.ndjson
  scripts/gen_cloudtrail.py --records 200 --seed 2 --format records -o sample.json
  scripts/gen_cloudtrail.py --size-mb 1000 --gzip -o /tmp/trail-1g.ndjson.gz

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import json
import re
import sys
import time
import uuid
from random import Random

# --------------------------------------------------------------------------------------------
# Event-name sets that tests care about
# --------------------------------------------------------------------------------------------

#: CIS 3.4/4.4/5.4 "IAM policy changes" (16 names).
CIS_IAM_POLICY_EVENTS = (
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
    "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
    "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
    "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
    "AttachGroupPolicy", "DetachGroupPolicy",
)
#: CloudGuard D9.AWS.MON.04 adds three more (19 names, cwpattern's default check rule).
IAM_POLICY_CHANGE_EVENTS = CIS_IAM_POLICY_EVENTS + (
    "SetDefaultPolicyVersion", "AddUserToGroup", "UpdateAssumeRolePolicy",
)

#: eventNames of the other CIS monitoring controls (cis_controls.json), by eventSource.
CIS_OTHER_EVENTS = (
    ("cloudtrail.amazonaws.com",
     ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")),
    ("kms.amazonaws.com", ("DisableKey", "ScheduleKeyDeletion")),
    ("s3.amazonaws.com",
     ("PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
      "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors",
      "DeleteBucketLifecycle", "DeleteBucketReplication")),
    ("config.amazonaws.com",
     ("StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
      "PutConfigurationRecorder")),
    ("ec2.amazonaws.com",
     ("AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
      "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
      "DeleteSecurityGroup", "ModifySecurityGroupRules",
      "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
      "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
      "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
      "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway",
      "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
      "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
      "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
      "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
      "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
      "EnableVpcClassicLink")),
    ("organizations.amazonaws.com",
     ("AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit",
      "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit",
      "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
      "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
      "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit")),
)
#: ConsoleLogin (CIS console sign-in controls) is generated in the general mix.
CIS_SIGNIN_EVENT = ("signin.amazonaws.com", "ConsoleLogin")

MB = 1_000_000
LOGIN_FRACTION = 0.025  # ConsoleLogin records (dealt from a deck of MFA/success variants)
ROOT_FRACTION = 0.012   # Root activity (API calls, invokedBy calls, sign-in service events)
START_TIME = "2024-06-03T00:00:00Z"

# --------------------------------------------------------------------------------------------
# Static world description
# --------------------------------------------------------------------------------------------

MGMT_ACCOUNT = "111122223333"
ACCOUNTS = (MGMT_ACCOUNT, "444455556666", "777788889999")
ACCOUNT_WEIGHTS = (80, 14, 6)
ORG_ID = "o-a1b2c3d4e5"
ORG_ROOT = "r-a1b2"
GLOBAL_REGION = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "us-east-2",
           "ap-southeast-2", "ap-northeast-1", "ca-central-1", "sa-east-1", "ap-south-1")
REGION_WEIGHTS = (46, 18, 12, 7, 5, 4, 3, 2, 1.5, 1.5)
GLOBAL_SOURCES = {"iam.amazonaws.com", "organizations.amazonaws.com", "signin.amazonaws.com",
                  "route53.amazonaws.com", "cloudfront.amazonaws.com", "health.amazonaws.com"}

IAM_USERS = ("alice", "bob", "carol.admin", "dave", "erin.ops", "frank", "ci-deploy",
             "terraform", "backup-operator", "legacy-reporting", "grafana-cloudwatch")
HUMAN_USERS = ("alice", "bob", "carol.admin", "dave", "erin.ops", "frank")
MACHINE_USERS = ("ci-deploy", "terraform", "backup-operator", "legacy-reporting",
                 "grafana-cloudwatch")
GROUPS = ("Admins", "Developers", "ReadOnly", "Billing", "SecurityAudit", "Ops")
EMAIL_DOMAIN = "example.com"
SSO_PERMISSION_SETS = ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess",
                       "SecurityAudit", "ViewOnlyAccess")
APP_ROLES = ("order-processor-role", "image-resizer-role", "payments-api-task-role",
             "eks-node-group-role", "batch-ingest-role", "reporting-etl-role",
             "github-actions-deploy", "terraform-deployer", "OrganizationAccountAccessRole",
             "datadog-integration", "cross-account-readonly", "backup-service-role")
MANAGED_POLICIES = ("AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess",
                    "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "AmazonEC2ReadOnlyAccess",
                    "SecurityAudit", "AWSLambdaBasicExecutionRole",
                    "service-role/AWSLambdaVPCAccessExecutionRole", "IAMFullAccess",
                    "AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy",
                    "job-function/ViewOnlyAccess", "AmazonDynamoDBFullAccess")
CUSTOMER_POLICIES = ("s3-data-lake-read", "deploy-pipeline", "kms-app-decrypt",
                     "ci-ecr-push", "boundary-developers", "ssm-session-access",
                     "lambda-invoke-internal", "logs-writer", "billing-readonly")
INLINE_POLICY_NAMES = ("inline-s3-access", "AllowAssumeCrossAccount", "sqs-consumer",
                       "secrets-read", "DenyLeaveOrg", "kms-decrypt", "cloudwatch-put-metrics",
                       "ecr-pull", "dynamodb-orders-rw")
BUCKET_STEMS = ("app-assets", "data-lake-raw", "cloudtrail-logs", "terraform-state",
                "backups", "athena-results", "static-website", "ml-training-data",
                "access-logs", "config-snapshots")
LAMBDA_FUNCTIONS = ("order-processor", "image-resizer", "slack-notifier", "cost-report",
                    "auth-token-refresh", "s3-object-tagger", "guardduty-forwarder")
LOG_GROUPS = ("/aws/lambda/order-processor", "/aws/lambda/image-resizer",
              "/aws/eks/prod/cluster", "/ecs/payments-api", "CloudTrail/DefaultLogGroup",
              "/aws/rds/instance/orders-db/postgresql", "vpc-flow-logs", "/app/nginx/access")
DDB_TABLES = ("orders", "sessions", "inventory", "terraform-locks", "feature-flags")
SECRETS = ("prod/payments/db", "prod/orders/api-key", "staging/app/db", "ci/github-token",
           "prod/datadog/api-key")
SSM_PARAMS = ("/prod/app/db_host", "/prod/app/feature_flags", "/staging/app/db_host",
              "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
              "/prod/payments/timeout_ms")
CLUSTERS = ("prod", "staging")
STACKS = ("network-baseline", "prod-app", "security-baseline", "staging-app", "ci-runners")
TRAIL_NAMES = ("org-trail", "management-events", "security-trail")
SG_NAMES = ("web-alb", "app-tier", "db-tier", "bastion", "eks-nodes", "lambda-egress")
SCP_NAMES = ("DenyLeaveOrganization", "DenyRootUser", "RegionRestriction",
             "ProtectCloudTrail", "DenyIAMUserCreation")
OU_NAMES = ("Workloads", "Security", "Sandbox", "Infrastructure", "Suspended")
IOT_POLICIES = ("sensor-telemetry-policy", "gateway-policy", "fleet-provisioning")
CONFIG_RULES = (("s3-bucket-versioning-enabled", "S3_BUCKET_VERSIONING_ENABLED",
                 "AWS::S3::Bucket"),
                ("encrypted-volumes", "ENCRYPTED_VOLUMES", "AWS::EC2::Volume"),
                ("restricted-ssh", "INCOMING_SSH_DISABLED", "AWS::EC2::SecurityGroup"),
                ("iam-root-access-key-check", "IAM_ROOT_ACCESS_KEY_CHECK", None),
                ("cloudtrail-enabled", "CLOUD_TRAIL_ENABLED", None))
METRIC_FILTERS = (
    ("UnauthorizedAPICalls",
     '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'),
    ("ConsoleSigninWithoutMFA",
     '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'),
    ("RootAccountUsage",
     '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
     '$.eventType != "AwsServiceEvent" }'),
    ("CloudTrailChanges",
     "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
     "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
     "($.eventName = StopLogging) }"),
    ("ErrorCount", "ERROR"),
    ("5xxResponses", "[ip, id, user, timestamp, request, status_code=5*, size]"),
)

SERVICE_HOSTS = ("config.amazonaws.com", "securityhub.amazonaws.com",
                 "access-analyzer.amazonaws.com", "trustedadvisor.amazonaws.com",
                 "guardduty.amazonaws.com", "inspector2.amazonaws.com")
BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.81",
)
CLI_SERVICE = {"monitoring": "cloudwatch", "s3": "s3api", "elasticloadbalancing": "elbv2",
               "signin": "signin"}
IAM_PREFIX = {"monitoring": "cloudwatch", "elasticloadbalancing": "elasticloadbalancing"}
EVENT_VERSION = {"s3.amazonaws.com": "1.09", "ec2.amazonaws.com": "1.09",
                 "signin.amazonaws.com": "1.09", "kms.amazonaws.com": "1.09",
                 "lambda.amazonaws.com": "1.09", "sts.amazonaws.com": "1.08",
                 "logs.amazonaws.com": "1.09", "secretsmanager.amazonaws.com": "1.09"}
API_VERSION = {"dynamodb.amazonaws.com": "2012-08-10", "route53.amazonaws.com": "2013-04-01",
               "rds.amazonaws.com": "2014-10-31", "elasticloadbalancing.amazonaws.com":
               "2015-12-01", "autoscaling.amazonaws.com": "2011-01-01"}

ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
HEX = "0123456789abcdef"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _kebab(name: str) -> str:
    name = re.sub(r"\d{8}(v\d)?$", "", name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def iso(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def aws_date(t: int) -> str:
    """The 'Mon D, YYYY, H:MM:SS AM' form IAM/STS/KMS use inside responseElements."""
    g = time.gmtime(t)
    hour = g.tm_hour % 12 or 12
    ampm = "AM" if g.tm_hour < 12 else "PM"
    return f"{MONTHS[g.tm_mon - 1]} {g.tm_mday}, {g.tm_year}, {hour}:{g.tm_min:02d}:{g.tm_sec:02d} {ampm}"


# --------------------------------------------------------------------------------------------
# Random helpers bound to one Random
# --------------------------------------------------------------------------------------------

class Rand:
    def __init__(self, seed: int):
        self.r = Random(seed)

    def choice(self, seq):
        return seq[self.r.randrange(len(seq))]

    def wchoice(self, seq, weights):
        return self.r.choices(seq, weights)[0]

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def randint(self, a: int, b: int) -> int:
        return self.r.randint(a, b)

    def random(self) -> float:
        return self.r.random()

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(alphabet[self.r.randrange(len(alphabet))] for _ in range(n))

    def hexid(self, prefix: str, n: int = 17) -> str:
        return prefix + self.chars(HEX, n)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def iam_id(self, prefix: str) -> str:
        return prefix + self.chars(ID_CHARS, 17)

    def ipv4_public(self) -> str:
        first = self.choice((3, 13, 18, 34, 35, 44, 52, 54, 63, 79, 81, 85, 91, 104, 185, 213))
        return f"{first}.{self.randint(0, 255)}.{self.randint(0, 255)}.{self.randint(1, 254)}"

    def sample(self, seq, k):
        return self.r.sample(list(seq), k)

    def shuffled(self, seq):
        items = list(seq)
        self.r.shuffle(items)
        return items


# --------------------------------------------------------------------------------------------
# Principals
# --------------------------------------------------------------------------------------------

class Principal:
    """One caller: fixed identity, IPs, user agent; session keys rotate hourly."""

    def __init__(self, kind, account, name, **kw):
        self.kind = kind            # IAMUser, AssumedRole, Root, AWSService, FederatedUser
        self.account = account
        self.name = name
        self.principal_id = kw.get("principal_id")
        self.role = kw.get("role")  # (roleName, roleId, path) for AssumedRole
        self.session = kw.get("session")
        self.issuer = kw.get("issuer")  # IAMUser issuer for FederatedUser
        self.invoked_by = kw.get("invoked_by")
        self.ips = kw.get("ips", ())
        self.agent = kw.get("agent", "cli")  # family
        self.console = kw.get("console", False)
        self.mfa = kw.get("mfa", False)
        self.instance_role = kw.get("instance_role", False)
        self.vpce = kw.get("vpce")
        self.access_key = kw.get("access_key")
        self.session_key = None
        self.session_start = -10**9
        self.versions = kw.get("versions", {})

    def session_creds(self, rnd: Rand, t: int):
        if t - self.session_start > 3600 or self.session_key is None:
            self.session_start = t - rnd.randint(0, 1800)
            self.session_key = rnd.iam_id("ASIA")[:20]
        return self.session_key, iso(self.session_start)

    def arn(self) -> str:
        a = self.account
        if self.kind == "IAMUser":
            return f"arn:aws:iam::{a}:user/{self.name}"
        if self.kind == "AssumedRole":
            return f"arn:aws:sts::{a}:assumed-role/{self.role[0]}/{self.session}"
        if self.kind == "Root":
            return f"arn:aws:iam::{a}:root"
        if self.kind == "FederatedUser":
            return f"arn:aws:sts::{a}:federated-user/{self.name}"
        return self.invoked_by or ""

    def identity(self, rnd: Rand, t: int, console_session: bool = False) -> dict:
        a = self.account
        if self.kind == "AWSService":
            return {"type": "AWSService", "invokedBy": self.invoked_by}
        if self.kind == "IAMUser":
            ident = {"type": "IAMUser", "principalId": self.principal_id, "arn": self.arn(),
                     "accountId": a}
            if console_session or self.console:
                key, created = self.session_creds(rnd, t)
                ident["accessKeyId"] = key
                ident["userName"] = self.name
                ident["sessionContext"] = {
                    "sessionIssuer": {}, "webIdFederationData": {},
                    "attributes": {"creationDate": created,
                                   "mfaAuthenticated": "true" if self.mfa else "false"}}
            else:
                ident["accessKeyId"] = self.access_key
                ident["userName"] = self.name
            return ident
        if self.kind == "Root":
            ident = {"type": "Root", "principalId": a, "arn": self.arn(), "accountId": a}
            key, created = self.session_creds(rnd, t)
            ident["accessKeyId"] = key
            ident["sessionContext"] = {
                "sessionIssuer": {}, "webIdFederationData": {},
                "attributes": {"creationDate": created,
                               "mfaAuthenticated": "true" if self.mfa else "false"}}
            return ident
        key, created = self.session_creds(rnd, t)
        if self.kind == "FederatedUser":
            iname, iid = self.issuer
            return {"type": "FederatedUser", "principalId": f"{a}:{self.name}",
                    "arn": self.arn(), "accountId": a, "accessKeyId": key,
                    "sessionContext": {
                        "sessionIssuer": {"type": "IAMUser", "principalId": iid,
                                          "arn": f"arn:aws:iam::{a}:user/{iname}",
                                          "accountId": a, "userName": iname},
                        "webIdFederationData": {},
                        "attributes": {"creationDate": created, "mfaAuthenticated": "false"}}}
        role, role_id, path = self.role
        ctx = {"sessionIssuer": {"type": "Role", "principalId": role_id,
                                 "arn": f"arn:aws:iam::{a}:role{path}{role}",
                                 "accountId": a, "userName": role},
               "webIdFederationData": {},
               "attributes": {"creationDate": created,
                              "mfaAuthenticated": "true" if self.mfa else "false"}}
        if self.instance_role:
            ctx["ec2RoleDelivery"] = "2.0"
        ident = {"type": "AssumedRole", "principalId": f"{role_id}:{self.session}",
                 "arn": self.arn(), "accountId": a, "accessKeyId": key,
                 "sessionContext": ctx}
        if self.invoked_by:
            ident["invokedBy"] = self.invoked_by
        return ident


class World:
    """Deterministic fixed population of accounts, principals and resources."""

    def __init__(self, rnd: Rand):
        self.rnd = rnd
        self.by_account = {}
        for acct in ACCOUNTS:
            self.by_account[acct] = self._account(acct)

    def _account(self, acct):
        r = self.rnd
        w = {"users": {}, "roles": {}, "principals": {"human": [], "auto": [], "svc": [],
                                                    "aws": [], "root": [], "fed": []}}
        office_ips = [f"203.0.113.{r.randint(2, 250)}", f"198.51.100.{r.randint(2, 250)}",
                      f"192.0.2.{r.randint(2, 250)}", r.ipv4_public()]
        nat_ips = [r.ipv4_public() for _ in range(4)]
        for u in IAM_USERS:
            w["users"][u] = r.iam_id("AIDA")[:21]
        for g in GROUPS:
            w.setdefault("groups", {})[g] = r.iam_id("AGPA")[:21]
        for role in APP_ROLES + ("CloudTrail_CloudWatchLogs_Role", "s3-replication-role"):
            w["roles"][role] = (role, r.iam_id("AROA")[:21], "/")
        sso_roles = []
        for ps in SSO_PERMISSION_SETS:
            name = f"AWSReservedSSO_{ps}_{r.chars(HEX, 16)}"
            w["roles"][name] = (name, r.iam_id("AROA")[:21], "/aws-reserved/sso.amazonaws.com/")
            sso_roles.append(name)
        w["sso_roles"] = sso_roles
        svc_roles = {"config.amazonaws.com": "AWSServiceRoleForConfig",
                     "securityhub.amazonaws.com": "AWSServiceRoleForSecurityHub",
                     "access-analyzer.amazonaws.com": "AWSServiceRoleForAccessAnalyzer",
                     "trustedadvisor.amazonaws.com": "AWSServiceRoleForTrustedAdvisor",
                     "guardduty.amazonaws.com": "AWSServiceRoleForAmazonGuardDuty",
                     "inspector2.amazonaws.com": "AWSServiceRoleForAmazonInspector2"}
        for host, name in svc_roles.items():
            w["roles"][name] = (name, r.iam_id("AROA")[:21], f"/aws-service-role/{host}/")
        w["svc_roles"] = svc_roles
        P = w["principals"]
        for u in HUMAN_USERS:
            P["human"].append(Principal(
                "IAMUser", acct, u, principal_id=w["users"][u], ips=[r.choice(office_ips)],
                agent=r.choice(("cli", "cli", "boto3", "console", "console")),
                console=False, mfa=r.chance(0.7), access_key=r.iam_id("AKIA")[:20]))
        for i, ps_role in enumerate(sso_roles):
            for user in r.sample(HUMAN_USERS, 2):
                P["human"].append(Principal(
                    "AssumedRole", acct, user, role=w["roles"][ps_role],
                    session=f"{user.split('.')[0]}@{EMAIL_DOMAIN}",
                    ips=[r.choice(office_ips), r.ipv4_public()],
                    agent=r.choice(("cli", "console", "console", "boto3")), mfa=False))
        for u in MACHINE_USERS:
            P["auto"].append(Principal(
                "IAMUser", acct, u, principal_id=w["users"][u], ips=[r.choice(nat_ips)],
                agent=r.choice(("terraform", "boto3", "go", "java")) if u != "terraform"
                else "terraform", access_key=r.iam_id("AKIA")[:20]))
        app_sessions = {
            "order-processor-role": ("order-processor", "boto3lambda", False),
            "image-resizer-role": ("image-resizer", "js", False),
            "payments-api-task-role": (None, "java", False),
            "eks-node-group-role": (None, "gov1", True),
            "batch-ingest-role": ("batch-ingest", "boto3", False),
            "reporting-etl-role": ("GlueJobRunnerSession", "java", False),
            "github-actions-deploy": ("GitHubActions", "cli", False),
            "terraform-deployer": (None, "terraform", False),
            "OrganizationAccountAccessRole": ("admin", "cli", False),
            "datadog-integration": ("DatadogAWSIntegration", "go", False),
            "cross-account-readonly": ("audit-scan", "boto3", False),
            "backup-service-role": ("AWSBackup-backup-service-role", "java", False),
        }
        for role, (session, agent, inst) in app_sessions.items():
            for _ in range(2 if session is None else 1):
                s = session
                if s is None:
                    s = (r.hexid("i-") if inst or role == "payments-api-task-role"
                         else f"terraform-run-{r.chars(HEX, 8)}")
                    if role == "payments-api-task-role":
                        s = r.chars(HEX, 32)
                P["auto"].append(Principal(
                    "AssumedRole", acct, s, role=w["roles"][role], session=s,
                    ips=[f"10.{r.randint(0, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}"]
                    if inst else [r.choice(nat_ips)], agent=agent, instance_role=inst,
                    vpce=r.hexid("vpce-") if inst else None))
        for host, name in svc_roles.items():
            short = host.split(".")[0]
            P["svc"].append(Principal(
                "AssumedRole", acct, short, role=w["roles"][name],
                session={"config": "AWSConfig-Describe", "securityhub": "securityhub",
                         "access-analyzer": "access-analyzer", "guardduty": "GuardDuty",
                         "trustedadvisor": "TrustedAdvisor_" + r.chars(HEX, 8),
                         "inspector2": "inspector2"}[short],
                invoked_by=host, agent="svc"))
        for host in ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
                     "cloudtrail.amazonaws.com", "config.amazonaws.com",
                     "delivery.logs.amazonaws.com", "s3.amazonaws.com",
                     "elasticloadbalancing.amazonaws.com", "backup.amazonaws.com",
                     "events.amazonaws.com", "apigateway.amazonaws.com"):
            P["aws"].append(Principal("AWSService", acct, host, invoked_by=host, agent="svc"))
        P["root"].append(Principal("Root", acct, "root", ips=[r.choice(office_ips)],
                                   agent="console", mfa=r.chance(0.8), console=True))
        iss = r.choice(MACHINE_USERS)
        P["fed"].append(Principal("FederatedUser", acct, "okta-bridge-" + r.chars(HEX, 6),
                                  issuer=(iss, w["users"][iss]), ips=[r.choice(nat_ips)],
                                  agent="java"))
        # resources
        w["buckets"] = [f"{stem}-{acct}-{r.chars(HEX, 4)}" for stem in BUCKET_STEMS]
        w["vpcs"] = [(r.hexid("vpc-"), f"10.{i * 16}.0.0/16") for i in range(4)]
        w["sgs"] = [(r.hexid("sg-"), n) for n in SG_NAMES]
        w["subnets"] = [r.hexid("subnet-") for _ in range(8)]
        w["rtbs"] = [r.hexid("rtb-") for _ in range(6)]
        w["acls"] = [r.hexid("acl-") for _ in range(5)]
        w["igws"] = [r.hexid("igw-") for _ in range(3)]
        w["natgws"] = [r.hexid("nat-") for _ in range(3)]
        w["instances"] = [r.hexid("i-") for _ in range(20)]
        w["amis"] = [r.hexid("ami-") for _ in range(5)]
        w["volumes"] = [r.hexid("vol-") for _ in range(10)]
        w["kms"] = [r.uuid() for _ in range(5)]
        w["kms_aliases"] = ["alias/app-data", "alias/s3-default", "alias/rds", "alias/secrets",
                            "alias/cloudtrail"]
        w["canonical"] = r.chars(HEX, 64)
        w["handshakes"] = [f"h-{r.chars(HEX, 10)}" for _ in range(3)]
        w["ous"] = [f"ou-{ORG_ROOT[2:]}-{r.chars(HEX, 8)}" for _ in OU_NAMES]
        w["scps"] = [f"p-{r.chars(HEX, 8)}" for _ in SCP_NAMES]
        w["certs"] = [r.chars(HEX, 64) for _ in range(3)]
        return w


# --------------------------------------------------------------------------------------------
# Policy documents
# --------------------------------------------------------------------------------------------

ACTION_SETS = (
    (("s3:GetObject", "s3:PutObject"), "s3obj"), (("s3:ListBucket",), "s3bucket"),
    (("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"), "ddb"),
    (("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"), "sqs"),
    (("kms:Decrypt", "kms:GenerateDataKey"), "kms"),
    (("logs:CreateLogStream", "logs:PutLogEvents"), "logs"),
    (("ec2:Describe*",), "*"), (("secretsmanager:GetSecretValue",), "secret"),
    (("ssm:GetParameter", "ssm:GetParametersByPath"), "ssm"), (("sts:AssumeRole",), "role"),
    (("iam:PassRole",), "role"), (("lambda:InvokeFunction",), "lambda"),
    (("cloudwatch:PutMetricData",), "*"),
    (("ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"), "*"),
    (("*",), "*"),
)


def policy_document(rnd: Rand, w: dict, acct: str, pretty: bool | None = None) -> str:
    stmts = []
    for _ in range(rnd.wchoice((1, 2, 3), (5, 3, 2))):
        actions, kind = rnd.choice(ACTION_SETS)
        if kind == "s3obj":
            res = f"arn:aws:s3:::{rnd.choice(w['buckets'])}/*"
        elif kind == "s3bucket":
            res = f"arn:aws:s3:::{rnd.choice(w['buckets'])}"
        elif kind == "ddb":
            res = f"arn:aws:dynamodb:us-east-1:{acct}:table/{rnd.choice(DDB_TABLES)}"
        elif kind == "sqs":
            res = f"arn:aws:sqs:us-east-1:{acct}:orders-queue"
        elif kind == "kms":
            res = f"arn:aws:kms:us-east-1:{acct}:key/{rnd.choice(w['kms'])}"
        elif kind == "logs":
            res = f"arn:aws:logs:*:{acct}:log-group:{rnd.choice(LOG_GROUPS)}:*"
        elif kind == "secret":
            res = f"arn:aws:secretsmanager:us-east-1:{acct}:secret:{rnd.choice(SECRETS)}-*"
        elif kind == "ssm":
            res = f"arn:aws:ssm:us-east-1:{acct}:parameter/prod/*"
        elif kind == "role":
            res = f"arn:aws:iam::{acct}:role/{rnd.choice(APP_ROLES)}"
        elif kind == "lambda":
            res = f"arn:aws:lambda:us-east-1:{acct}:function:{rnd.choice(LAMBDA_FUNCTIONS)}"
        else:
            res = "*"
        st = {"Effect": "Deny" if rnd.chance(0.08) else "Allow",
              "Action": actions[0] if len(actions) == 1 else list(actions), "Resource": res}
        if rnd.chance(0.3):
            st = {"Sid": f"Stmt{rnd.randint(1000000000000, 9999999999999)}", **st}
        if rnd.chance(0.15):
            st["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
        stmts.append(st)
    doc = {"Version": "2012-10-17", "Statement": stmts}
    if pretty is None:
        pretty = rnd.chance(0.5)
    return json.dumps(doc, indent=4) if pretty else json.dumps(doc, separators=(",", ":"))


def trust_policy(rnd: Rand, acct: str) -> str:
    kind = rnd.randint(0, 3)
    if kind == 0:
        st = {"Effect": "Allow", "Principal": {"Service": rnd.choice(
            ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"))},
              "Action": "sts:AssumeRole"}
    elif kind == 1:
        st = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{rnd.choice(ACCOUNTS)}:root"},
              "Action": "sts:AssumeRole",
              "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    elif kind == 2:
        st = {"Effect": "Allow", "Principal": {
            "Federated": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"},
              "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {"StringLike": {
                  "token.actions.githubusercontent.com:sub": "repo:example-org/*:ref:refs/heads/main"},
                  "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}
    else:
        st = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::464622532012:root"},
              "Action": "sts:AssumeRole",
              "Condition": {"StringEquals": {"sts:ExternalId": rnd.chars(HEX, 32)}}}
    return json.dumps({"Version": "2012-10-17", "Statement": [st]},
                      indent=2 if rnd.chance(0.5) else None)


def scp_document(rnd: Rand) -> str:
    st = rnd.choice((
        {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
        {"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail",
                                      "cloudtrail:UpdateTrail"], "Resource": "*"},
        {"Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"],
         "Resource": "*", "Condition": {"StringNotEquals": {
             "aws:RequestedRegion": ["us-east-1", "eu-west-1", "us-west-2"]}}},
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}},
    ))
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


# --------------------------------------------------------------------------------------------
# API catalogue
# --------------------------------------------------------------------------------------------

class Api:
    __slots__ = ("source", "name", "ro", "weight", "build", "actors", "etype", "data",
                 "err_boost", "svc_prefix", "hosts")

    def __init__(self, source, name, ro, weight, build, actors=None, etype="AwsApiCall",
                 data=False, err_boost=1.0, hosts=None):
        self.source = source
        self.name = name
        self.ro = ro
        self.weight = weight
        self.build = build
        self.actors = actors or ({"human": 2, "auto": 5, "svc": 4} if ro
                                 else {"human": 4, "auto": 6})
        self.etype = etype
        self.data = data
        self.err_boost = err_boost
        self.svc_prefix = source.split(".")[0]
        self.hosts = hosts  # which AWS services may call it ("aws"/"svc" actors)


class Ctx:
    """What a builder sees: the generator, the chosen account world and principal."""

    def __init__(self, g, acct, w, p, region, t):
        self.g, self.r, self.acct, self.w, self.p, self.region, self.t = g, g.rnd, acct, w, p, region, t
        self.request_id = None
        self.out = {}  # extra top-level fields: additionalEventData, resources, ...

    def rid(self):
        if self.request_id is None:
            self.request_id = self.r.uuid()
        return self.request_id


def _none(c):
    return None, None


def _req(d):
    return lambda c: (d, None)


# ---- IAM --------------------------------------------------------------------------------

def _user(c):
    return c.r.choice(IAM_USERS)


def _role(c):
    return c.r.choice(APP_ROLES)


def _policy_arn(c):
    if c.r.chance(0.5):
        return f"arn:aws:iam::aws:policy/{c.r.choice(MANAGED_POLICIES)}"
    return f"arn:aws:iam::{c.acct}:policy/{c.r.choice(CUSTOMER_POLICIES)}"


def _cust_policy_arn(c):
    return f"arn:aws:iam::{c.acct}:policy/{c.r.choice(CUSTOMER_POLICIES)}"


def iam_put_inline(kind):
    def b(c):
        return {f"{kind}Name": {"user": _user, "role": _role,
                                "group": lambda c: c.r.choice(GROUPS)}[kind](c),
                "policyName": c.r.choice(INLINE_POLICY_NAMES),
                "policyDocument": policy_document(c.r, c.w, c.acct)}, None
    return b


def iam_delete_inline(kind):
    def b(c):
        return {f"{kind}Name": {"user": _user, "role": _role,
                                "group": lambda c: c.r.choice(GROUPS)}[kind](c),
                "policyName": c.r.choice(INLINE_POLICY_NAMES)}, None
    return b


def iam_attach(kind):
    def b(c):
        return {f"{kind}Name": {"user": _user, "role": _role,
                                "group": lambda c: c.r.choice(GROUPS)}[kind](c),
                "policyArn": _policy_arn(c)}, None
    return b


def iam_create_policy(c):
    name = c.r.choice(CUSTOMER_POLICIES) + ("" if c.r.chance(0.6) else f"-{c.r.randint(2, 9)}")
    req = {"policyName": name, "policyDocument": policy_document(c.r, c.w, c.acct)}
    if c.r.chance(0.5):
        req["description"] = "Managed by Terraform"
    if c.r.chance(0.3):
        req["path"] = "/"
    pid = c.r.iam_id("ANPA")[:21]
    d = aws_date(c.t)
    resp = {"policy": {"policyName": name, "policyId": pid,
                       "arn": f"arn:aws:iam::{c.acct}:policy/{name}", "path": "/",
                       "defaultVersionId": "v1", "attachmentCount": 0,
                       "permissionsBoundaryUsageCount": 0, "isAttachable": True,
                       "createDate": d, "updateDate": d}}
    return req, resp


def iam_create_policy_version(c):
    v = c.r.randint(2, 5)
    return ({"policyArn": _cust_policy_arn(c), "policyDocument": policy_document(c.r, c.w, c.acct),
             "setAsDefault": c.r.chance(0.8)},
            {"policyVersion": {"versionId": f"v{v}", "isDefaultVersion": True,
                               "createDate": aws_date(c.t)}})


def iam_version_op(c):
    return {"policyArn": _cust_policy_arn(c), "versionId": f"v{c.r.randint(1, 5)}"}, None


def iam_create_user(c):
    name = c.r.choice(("svc-", "tmp-", "")) + c.r.choice(("reporting", "vendor-sync", "jenkins",
                                                          "grace", "heidi", "qa-bot"))
    uid = c.r.iam_id("AIDA")[:21]
    req = {"userName": name}
    if c.r.chance(0.4):
        req["tags"] = [{"key": "team", "value": c.r.choice(("platform", "data", "security"))}]
    return req, {"user": {"path": "/", "userName": name, "userId": uid,
                          "arn": f"arn:aws:iam::{c.acct}:user/{name}",
                          "createDate": aws_date(c.t)}}


def iam_create_access_key(c):
    user = _user(c)
    return {"userName": user}, {"accessKey": {"userName": user,
                                              "accessKeyId": c.r.iam_id("AKIA")[:20],
                                              "status": "Active", "createDate": aws_date(c.t)}}


def iam_create_role(c):
    name = c.r.choice(("lambda-", "ecs-", "ci-", "app-")) + c.r.choice(
        ("exporter", "scheduler", "ingest", "sync", "worker")) + "-role"
    doc = trust_policy(c.r, c.acct)
    return ({"roleName": name, "assumeRolePolicyDocument": doc, "maxSessionDuration": 3600},
            {"role": {"path": "/", "roleName": name, "roleId": c.r.iam_id("AROA")[:21],
                      "arn": f"arn:aws:iam::{c.acct}:role/{name}",
                      "createDate": aws_date(c.t), "assumeRolePolicyDocument":
                      re.sub(r"[^A-Za-z0-9._~-]", lambda m: "%%%02X" % ord(m.group()),
                             json.dumps(json.loads(doc), separators=(",", ":")))}})


def iam_list_users(c):
    return (None if c.r.chance(0.6) else {"maxItems": 100}), None


def iam_list_policies(c):
    return {"scope": c.r.choice(("Local", "All", "AWS")), "onlyAttached": c.r.chance(0.3),
            "policyUsageFilter": "PermissionsPolicy", "maxItems": 100}, None


IAM_APIS = [
    Api("iam.amazonaws.com", "ListUsers", True, 6, iam_list_users),
    Api("iam.amazonaws.com", "ListRoles", True, 6, _req({"maxItems": 1000})),
    Api("iam.amazonaws.com", "GetRole", True, 10, lambda c: ({"roleName": _role(c)}, None)),
    Api("iam.amazonaws.com", "GetUser", True, 4, lambda c: ({"userName": _user(c)}, None)),
    Api("iam.amazonaws.com", "GetPolicy", True, 5, lambda c: ({"policyArn": _policy_arn(c)}, None)),
    Api("iam.amazonaws.com", "GetPolicyVersion", True, 5, lambda c: (
        {"policyArn": _policy_arn(c), "versionId": f"v{c.r.randint(1, 6)}"}, None)),
    Api("iam.amazonaws.com", "ListPolicies", True, 3, iam_list_policies),
    Api("iam.amazonaws.com", "ListAttachedRolePolicies", True, 6,
        lambda c: ({"roleName": _role(c)}, None)),
    Api("iam.amazonaws.com", "ListRolePolicies", True, 5, lambda c: ({"roleName": _role(c)}, None)),
    Api("iam.amazonaws.com", "GetRolePolicy", True, 3, lambda c: (
        {"roleName": _role(c), "policyName": c.r.choice(INLINE_POLICY_NAMES)}, None)),
    Api("iam.amazonaws.com", "ListAttachedUserPolicies", True, 2,
        lambda c: ({"userName": _user(c)}, None)),
    Api("iam.amazonaws.com", "ListGroupsForUser", True, 2, lambda c: ({"userName": _user(c)}, None)),
    Api("iam.amazonaws.com", "ListAccessKeys", True, 3, lambda c: ({"userName": _user(c)}, None)),
    Api("iam.amazonaws.com", "ListMFADevices", True, 2, lambda c: ({"userName": _user(c)}, None)),
    Api("iam.amazonaws.com", "GetAccountSummary", True, 1, _none),
    Api("iam.amazonaws.com", "GetAccountPasswordPolicy", True, 1, _none),
    Api("iam.amazonaws.com", "GenerateCredentialReport", False, 1, _none,
        actors={"svc": 3, "human": 1},
        hosts=("securityhub.amazonaws.com", "trustedadvisor.amazonaws.com",
               "config.amazonaws.com")),
    Api("iam.amazonaws.com", "GetCredentialReport", True, 1, _none),
    Api("iam.amazonaws.com", "GetAccountAuthorizationDetails", True, 1,
        _req({"filter": ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]})),
    Api("iam.amazonaws.com", "GetInstanceProfile", True, 2,
        lambda c: ({"instanceProfileName": _role(c)}, None)),
    Api("iam.amazonaws.com", "CreateUser", False, 0.3, iam_create_user),
    Api("iam.amazonaws.com", "CreateAccessKey", False, 0.3, iam_create_access_key),
    Api("iam.amazonaws.com", "UpdateAccessKey", False, 0.15, lambda c: (
        {"userName": _user(c), "accessKeyId": c.r.iam_id("AKIA")[:20], "status": "Inactive"}, None)),
    Api("iam.amazonaws.com", "DeleteAccessKey", False, 0.15, lambda c: (
        {"userName": _user(c), "accessKeyId": c.r.iam_id("AKIA")[:20]}, None)),
    Api("iam.amazonaws.com", "CreateRole", False, 0.3, iam_create_role),
    Api("iam.amazonaws.com", "DeleteRole", False, 0.1, lambda c: ({"roleName": _role(c)}, None)),
    Api("iam.amazonaws.com", "TagRole", False, 0.3, lambda c: (
        {"roleName": _role(c), "tags": [{"key": "CostCenter", "value": str(c.r.randint(100, 999))}]},
        None)),
    Api("iam.amazonaws.com", "RemoveUserFromGroup", False, 0.1, lambda c: (
        {"groupName": c.r.choice(GROUPS), "userName": _user(c)}, None)),
    Api("iam.amazonaws.com", "CreateLoginProfile", False, 0.1, lambda c: (
        {"userName": _user(c), "passwordResetRequired": True},
        {"loginProfile": {"userName": "HIDDEN_DUE_TO_SECURITY_REASONS",
                          "createDate": aws_date(c.t), "passwordResetRequired": True}})),
    Api("iam.amazonaws.com", "CreateServiceLinkedRole", False, 0.1, lambda c: (
        {"aWSServiceName": c.r.choice(("autoscaling.amazonaws.com", "ecs.amazonaws.com",
                                       "elasticloadbalancing.amazonaws.com"))}, None)),
]

IAM_POLICY_APIS = {
    "PutUserPolicy": iam_put_inline("user"), "PutRolePolicy": iam_put_inline("role"),
    "PutGroupPolicy": iam_put_inline("group"), "DeleteUserPolicy": iam_delete_inline("user"),
    "DeleteRolePolicy": iam_delete_inline("role"), "DeleteGroupPolicy": iam_delete_inline("group"),
    "CreatePolicy": iam_create_policy,
    "DeletePolicy": lambda c: ({"policyArn": _cust_policy_arn(c)}, None),
    "CreatePolicyVersion": iam_create_policy_version, "DeletePolicyVersion": iam_version_op,
    "SetDefaultPolicyVersion": iam_version_op,
    "AttachRolePolicy": iam_attach("role"), "DetachRolePolicy": iam_attach("role"),
    "AttachUserPolicy": iam_attach("user"), "DetachUserPolicy": iam_attach("user"),
    "AttachGroupPolicy": iam_attach("group"), "DetachGroupPolicy": iam_attach("group"),
    "AddUserToGroup": lambda c: ({"groupName": c.r.choice(GROUPS), "userName": _user(c)}, None),
    "UpdateAssumeRolePolicy": lambda c: ({"roleName": _role(c),
                                          "policyDocument": trust_policy(c.r, c.acct)}, None),
}
assert set(IAM_POLICY_APIS) == set(IAM_POLICY_CHANGE_EVENTS)


# ---- STS --------------------------------------------------------------------------------

def sts_assume_role(c):
    acct = c.r.wchoice(ACCOUNTS, (6, 3, 1)) if c.p.kind != "AWSService" else c.acct
    role = _role(c)
    if c.p.kind == "AWSService":
        # a service assumes the role it was configured with
        host = c.p.invoked_by
        if host == "lambda.amazonaws.com":
            fn = c.r.choice(("order-processor", "image-resizer"))
            role, session = f"{fn}-role", fn
        elif host == "ec2.amazonaws.com":
            role, session = "eks-node-group-role", c.r.choice(c.w["instances"])
        elif host == "ecs-tasks.amazonaws.com":
            role, session = "payments-api-task-role", c.r.chars(HEX, 32)
        elif host == "backup.amazonaws.com":
            role, session = "backup-service-role", f"AWSBackup-{c.r.uuid()}"
        elif host == "config.amazonaws.com":
            role, session = "AWSServiceRoleForConfig", "AWSConfig-Describe"
        else:  # cloudtrail delivering to CloudWatch Logs
            role, session = "CloudTrail_CloudWatchLogs_Role", "CloudTrail"
    else:
        session = c.r.choice(("terraform", "audit-scan", "deploy", "botocore-session-"
                              + str(c.r.randint(1700000000, 1719999999)), "admin"))
    _, role_id, path = c.g.world.by_account[acct]["roles"][role]
    key = c.r.iam_id("ASIA")[:20]
    req = {"roleArn": f"arn:aws:iam::{acct}:role{path}{role}", "roleSessionName": session}
    if c.r.chance(0.3):
        req["durationSeconds"] = c.r.choice((900, 3600, 43200))
    if c.r.chance(0.2):
        req["externalId"] = c.r.chars(HEX, 32)
    resp = {"credentials": {"accessKeyId": key,
                            "sessionToken": "IQoJb3JpZ2luX2VjE" + c.r.chars(B64, 160),
                            "expiration": aws_date(c.t + req.get("durationSeconds", 3600))},
            "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}",
                                "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{session}"}}
    c.out["resources"] = [{"accountId": acct, "type": "AWS::IAM::Role",
                           "ARN": req["roleArn"]}]
    if acct != c.acct:
        c.out["sharedEventID"] = c.r.uuid()
    return req, resp


STS_APIS = [
    Api("sts.amazonaws.com", "AssumeRole", True, 28, sts_assume_role,
        actors={"aws": 10, "auto": 5, "human": 2},
        hosts=("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com",
               "config.amazonaws.com", "backup.amazonaws.com", "cloudtrail.amazonaws.com")),
    Api("sts.amazonaws.com", "GetCallerIdentity", True, 16, _none,
        actors={"auto": 6, "human": 3, "svc": 1}),
    Api("sts.amazonaws.com", "GetSessionToken", True, 0.5, lambda c: (
        {"durationSeconds": 43200, "serialNumber": f"arn:aws:iam::{c.acct}:mfa/{c.p.name}"},
        {"credentials": {"accessKeyId": c.r.iam_id("ASIA")[:20],
                         "sessionToken": "IQoJb3JpZ2luX2VjE" + c.r.chars(B64, 120),
                         "expiration": aws_date(c.t + 43200)}}), actors={"human": 1}),
]


# ---- S3 ---------------------------------------------------------------------------------

def _bucket(c):
    return c.r.choice(c.w["buckets"])


def _host(c, bucket):
    style = c.r.randint(0, 2)
    if style == 0:
        return f"{bucket}.s3.{c.region}.amazonaws.com"
    if style == 1:
        return f"{bucket}.s3.amazonaws.com"
    return "s3.amazonaws.com"


def s3_extra(c, out_bytes=0, in_bytes=0):
    c.out["additionalEventData"] = {
        "SignatureVersion": "SigV4",
        "CipherSuite": c.r.choice(("TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256")),
        "bytesTransferredIn": in_bytes, "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": c.r.chars(B64, 56) + "=", "bytesTransferredOut": out_bytes}


def s3_bucket_op(sub=None, extra_fn=None):
    def b(c):
        bucket = _bucket(c)
        req = {"bucketName": bucket, "Host": _host(c, bucket)}
        if sub:
            req[sub] = ""
        if extra_fn:
            req.update(extra_fn(c, bucket))
        s3_extra(c)
        c.out["resources"] = [{"accountId": c.acct, "type": "AWS::S3::Bucket",
                               "ARN": f"arn:aws:s3:::{bucket}"}]
        return req, None
    return b


def s3_bucket_policy(c, bucket):
    return {"bucketPolicy": {"Version": "2012-10-17", "Statement": [
        c.r.choice((
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{c.acct}/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
             "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Sid": "CrossAccountRead", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{c.r.choice(ACCOUNTS)}:root"},
             "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}))]}}


def s3_acl(c, bucket):
    grants = [{"Grantee": {"xsi:type": "CanonicalUser",
                           "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                           "ID": c.w["canonical"]}, "Permission": "FULL_CONTROL"}]
    if c.r.chance(0.3):
        grants.append({"Grantee": {"xsi:type": "Group",
                                   "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
                                   "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
                       "Permission": "WRITE"})
    return {"AccessControlPolicy": {
        "AccessControlList": {"Grant": grants if len(grants) > 1 else grants[0]},
        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Owner": {"ID": c.w["canonical"]}}}


def s3_cors(c, bucket):
    return {"CORSConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                                  "CORSRule": {"AllowedMethod": ["GET", "HEAD", "PUT"],
                                               "AllowedOrigin": "https://app.example.com",
                                               "AllowedHeader": "*", "MaxAgeSeconds": 3000}}}


def s3_lifecycle(c, bucket):
    return {"LifecycleConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                                       "Rule": {"ID": c.r.choice(("expire-logs", "tiering",
                                                                  "abort-mpu")),
                                                "Status": "Enabled",
                                                "Filter": {"Prefix": c.r.choice(("logs/", "tmp/", ""))},
                                                "Expiration": {"Days": c.r.choice((30, 90, 365))}}}}


def s3_replication(c, bucket):
    return {"ReplicationConfiguration": {
        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
        "Role": f"arn:aws:iam::{c.acct}:role/s3-replication-role",
        "Rule": {"ID": "replicate-all", "Status": "Enabled", "Priority": 1,
                 "DeleteMarkerReplication": {"Status": "Disabled"}, "Filter": {"Prefix": ""},
                 "Destination": {"Bucket": f"arn:aws:s3:::{bucket}-replica",
                                 "StorageClass": "STANDARD_IA"}}}}


def s3_object(op, ro):
    def b(c):
        bucket = _bucket(c)
        key = c.r.choice(("data/", "uploads/", "exports/", "AWSLogs/", "images/")) + \
            f"{time.strftime('%Y/%m/%d', time.gmtime(c.t))}/{c.r.chars(HEX, 12)}." + \
            c.r.choice(("json.gz", "parquet", "jpg", "csv", "txt"))
        req = {"bucketName": bucket, "Host": _host(c, bucket), "key": key}
        resp = None
        size = c.r.randint(200, 5_000_000)
        if op == "PutObject":
            if c.r.chance(0.5):
                req["x-amz-server-side-encryption"] = "aws:kms"
            resp = {"x-amz-server-side-encryption": "aws:kms",
                    "x-amz-server-side-encryption-aws-kms-key-id":
                        f"arn:aws:kms:{c.region}:{c.acct}:key/{c.r.choice(c.w['kms'])}",
                    "x-amz-server-side-encryption-bucket-key-enabled": True,
                    "x-amz-version-id": c.r.chars(B64[:62], 32)} if c.r.chance(0.5) else None
            s3_extra(c, 0, size)
        else:
            s3_extra(c, size if op == "GetObject" else 0, 0)
        c.out["resources"] = [{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                              {"accountId": c.acct, "type": "AWS::S3::Bucket",
                               "ARN": f"arn:aws:s3:::{bucket}"}]
        return req, resp
    return b


def s3_list_objects(c):
    bucket = _bucket(c)
    s3_extra(c)
    c.out["resources"] = [{"type": "AWS::S3::Object", "ARNPrefix": f"arn:aws:s3:::{bucket}/"},
                          {"accountId": c.acct, "type": "AWS::S3::Bucket",
                           "ARN": f"arn:aws:s3:::{bucket}"}]
    return {"bucketName": bucket, "Host": _host(c, bucket), "list-type": "2",
            "prefix": c.r.choice(("", "data/", "AWSLogs/")), "delimiter": "/",
            "encoding-type": "url"}, None


def s3_list_buckets(c):
    s3_extra(c)
    return {"Host": "s3.amazonaws.com"}, None


S3 = "s3.amazonaws.com"
DATA_ACTORS = {"auto": 6, "human": 1}
S3_APIS = [
    Api(S3, "ListBuckets", True, 7, s3_list_buckets),
    Api(S3, "GetBucketAcl", True, 9, s3_bucket_op("acl")),
    Api(S3, "GetBucketPolicy", True, 6, s3_bucket_op("policy"), err_boost=3),
    Api(S3, "GetBucketLocation", True, 8, s3_bucket_op("location")),
    Api(S3, "GetBucketVersioning", True, 4, s3_bucket_op("versioning")),
    Api(S3, "GetBucketEncryption", True, 4, s3_bucket_op("encryption")),
    Api(S3, "GetBucketPublicAccessBlock", True, 4, s3_bucket_op("publicAccessBlock")),
    Api(S3, "GetBucketLogging", True, 2, s3_bucket_op("logging")),
    Api(S3, "GetBucketTagging", True, 3, s3_bucket_op("tagging"), err_boost=2),
    Api(S3, "HeadBucket", True, 4, s3_bucket_op(), err_boost=5),
    Api(S3, "CreateBucket", False, 0.2, s3_bucket_op(None, lambda c, b: {
        "CreateBucketConfiguration": {"LocationConstraint": c.region,
                                      "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}}
        if c.region != "us-east-1" else {})),
    Api(S3, "PutBucketEncryption", False, 0.2, s3_bucket_op("encryption", lambda c, b: {
        "ServerSideEncryptionConfiguration": {
            "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
            "Rule": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                     "BucketKeyEnabled": True}}})),
    Api(S3, "PutBucketVersioning", False, 0.2, s3_bucket_op("versioning", lambda c, b: {
        "VersioningConfiguration": {"Status": "Enabled",
                                    "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}})),
    Api(S3, "PutBucketPublicAccessBlock", False, 0.2, s3_bucket_op("publicAccessBlock", lambda c, b: {
        "PublicAccessBlockConfiguration": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                                           "BlockPublicAcls": True, "IgnorePublicAcls": True,
                                           "BlockPublicPolicy": True,
                                           "RestrictPublicBuckets": True}})),
    Api(S3, "PutBucketTagging", False, 0.2, s3_bucket_op("tagging", lambda c, b: {
        "Tagging": {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                    "TagSet": {"Tag": {"Key": "env", "Value": "prod"}}}})),
    # data events (eventCategory Data, managementEvent false)
    Api(S3, "GetObject", True, 9, s3_object("GetObject", True), data=True, actors=DATA_ACTORS),
    Api(S3, "PutObject", False, 4, s3_object("PutObject", False), data=True,
        actors={"auto": 6, "aws": 2, "human": 1},
        hosts=("cloudtrail.amazonaws.com", "delivery.logs.amazonaws.com", "config.amazonaws.com",
               "elasticloadbalancing.amazonaws.com")),
    Api(S3, "HeadObject", True, 3, s3_object("HeadObject", True), data=True, actors=DATA_ACTORS),
    Api(S3, "DeleteObject", False, 0.8, s3_object("DeleteObject", False), data=True,
        actors=DATA_ACTORS),
    Api(S3, "ListObjects", True, 3, s3_list_objects, data=True, actors=DATA_ACTORS),
]
CIS_BUILDERS = {
    (S3, "PutBucketAcl"): s3_bucket_op("acl", s3_acl),
    (S3, "PutBucketPolicy"): s3_bucket_op("policy", s3_bucket_policy),
    (S3, "PutBucketCors"): s3_bucket_op("cors", s3_cors),
    (S3, "PutBucketLifecycle"): s3_bucket_op("lifecycle", s3_lifecycle),
    (S3, "PutBucketReplication"): s3_bucket_op("replication", s3_replication),
    (S3, "DeleteBucketPolicy"): s3_bucket_op("policy"),
    (S3, "DeleteBucketCors"): s3_bucket_op("cors"),
    (S3, "DeleteBucketLifecycle"): s3_bucket_op("lifecycle"),
    (S3, "DeleteBucketReplication"): s3_bucket_op("replication"),
}


# ---- EC2 --------------------------------------------------------------------------------

EC2 = "ec2.amazonaws.com"


def _sg(c):
    return c.r.choice(c.w["sgs"])[0]


def _vpc(c):
    return c.r.choice(c.w["vpcs"])


def _perm(c):
    port = c.r.choice((22, 80, 443, 3389, 5432, 6379, 8080, 3306, 9200))
    cidr = c.r.choice(("0.0.0.0/0", "10.0.0.0/8", f"{c.r.choice(('203.0.113', '198.51.100'))}.0/24",
                       f"{c.r.ipv4_public()}/32"))
    rng = {"items": [{"cidrIp": cidr}]}
    if c.r.chance(0.4):
        rng["items"][0]["description"] = c.r.choice(("office", "vpn", "temp debug", "alb"))
    proto = c.r.choice(("tcp", "tcp", "tcp", "udp", "-1"))
    p = {"ipProtocol": proto, "groups": {}, "ipRanges": rng, "ipv6Ranges": {},
         "prefixListIds": {}}
    if proto != "-1":
        p["fromPort"] = port
        p["toPort"] = port
    return p, cidr


def ec2_sg_rule(egress, authorize):
    def b(c):
        sg = _sg(c)
        perm, cidr = _perm(c)
        req = {"groupId": sg, "ipPermissions": {"items": [perm]}}
        if not authorize:
            return req, {"requestId": c.rid(), "_return": True}
        rule = {"groupOwnerId": c.acct, "groupId": sg, "securityGroupRuleId": c.r.hexid("sgr-"),
                "isEgress": egress, "ipProtocol": perm["ipProtocol"],
                "fromPort": perm.get("fromPort", -1), "toPort": perm.get("toPort", -1),
                "cidrIpv4": cidr}
        return req, {"requestId": c.rid(), "_return": True,
                     "securityGroupRuleSet": {"items": [rule]}}
    return b


def ec2_create_sg(c):
    name = c.r.choice(SG_NAMES) + "-" + c.r.chars(HEX, 4)
    vpc = _vpc(c)[0]
    return ({"groupName": name, "groupDescription": f"{name} managed by Terraform", "vpcId": vpc},
            {"requestId": c.rid(), "_return": True, "groupId": c.r.hexid("sg-")})


def ec2_modify_sg_rules(c):
    sg = _sg(c)
    port = c.r.choice((443, 22, 5432))
    return ({"ModifySecurityGroupRulesRequest": {
        "GroupId": sg, "SecurityGroupRule": {
            "SecurityGroupRuleId": c.r.hexid("sgr-"),
            "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                                  "CidrIpv4": c.r.choice(("10.0.0.0/16", "0.0.0.0/0")),
                                  "Description": "updated"},
            "tag": 1}}},
            {"ModifySecurityGroupRulesResponse": {
                "requestId": c.rid(), "return": True,
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/"}})


def _acl_entry(c, with_range=True):
    e = {"networkAclId": c.r.choice(c.w["acls"]), "ruleNumber": c.r.choice((100, 110, 120, 200)),
         "egress": c.r.chance(0.3)}
    if with_range:
        port = c.r.choice((22, 443, 3389, 1024))
        e.update({"ruleAction": c.r.choice(("allow", "deny")), "icmpTypeCode": {},
                  "portRange": {"from": port, "to": 65535 if port == 1024 else port},
                  "aclProtocol": "6", "cidrBlock": c.r.choice(("0.0.0.0/0", "10.0.0.0/8"))})
    return e


def ec2_create_acl(c):
    vpc = _vpc(c)[0]
    acl = c.r.hexid("acl-")
    default = [{"ruleNumber": 32767, "protocol": "-1", "ruleAction": "deny", "egress": eg,
                "cidrBlock": "0.0.0.0/0"} for eg in (True, False)]
    return {"vpcId": vpc}, {"requestId": c.rid(), "networkAcl": {
        "networkAclId": acl, "vpcId": vpc, "default": False,
        "entrySet": {"items": default}, "associationSet": {}, "tagSet": {}, "ownerId": c.acct}}


def ec2_create_route(c):
    rtb = c.r.choice(c.w["rtbs"])
    req = {"routeTableId": rtb, "destinationCidrBlock": c.r.choice(
        ("0.0.0.0/0", "10.64.0.0/16", "172.16.0.0/12", "192.168.10.0/24"))}
    target = c.r.randint(0, 3)
    if target == 0:
        req["gatewayId"] = c.r.choice(c.w["igws"])
    elif target == 1:
        req["natGatewayId"] = c.r.choice(c.w["natgws"])
    elif target == 2:
        req["vpcPeeringConnectionId"] = c.r.hexid("pcx-")
    else:
        req["transitGatewayId"] = c.r.hexid("tgw-")
    return req, {"requestId": c.rid(), "_return": True}


def ec2_create_rtb(c):
    vpc, cidr = _vpc(c)
    return {"vpcId": vpc}, {"requestId": c.rid(), "routeTable": {
        "routeTableId": c.r.hexid("rtb-"), "vpcId": vpc, "ownerId": c.acct,
        "routeSet": {"items": [{"destinationCidrBlock": cidr, "gatewayId": "local",
                                "state": "active", "origin": "CreateRouteTable"}]},
        "associationSet": {}, "propagatingVgwSet": {}, "tagSet": {}}}


def ec2_create_vpc(c):
    cidr = f"10.{c.r.randint(64, 250)}.0.0/16"
    vpc = c.r.hexid("vpc-")
    return ({"cidrBlock": cidr, "instanceTenancy": "default",
             "amazonProvidedIpv6CidrBlock": False},
            {"requestId": c.rid(), "vpc": {
                "vpcId": vpc, "state": "pending", "ownerId": c.acct, "cidrBlock": cidr,
                "cidrBlockAssociationSet": {"items": [{
                    "cidrBlock": cidr, "associationId": c.r.hexid("vpc-cidr-assoc-"),
                    "cidrBlockState": {"state": "associated"}}]},
                "ipv6CidrBlockAssociationSet": {}, "dhcpOptionsId": c.r.hexid("dopt-"),
                "instanceTenancy": "default", "tagSet": {}, "isDefault": False}})


def ec2_peering(c, accept):
    vpc, cidr = _vpc(c)
    peer_acct = c.r.choice(ACCOUNTS)
    pcx = c.r.hexid("pcx-")
    info = {"vpcPeeringConnectionId": pcx,
            "requesterVpcInfo": {"ownerId": c.acct, "vpcId": vpc, "cidrBlock": cidr,
                                 "region": c.region},
            "accepterVpcInfo": {"ownerId": peer_acct, "vpcId": c.r.hexid("vpc-"),
                                "region": c.region},
            "status": {"code": "active" if accept else "initiating-request",
                       "message": "Active" if accept else f"Initiating Request to {peer_acct}"},
            "tagSet": {}}
    if accept:
        return {"vpcPeeringConnectionId": pcx}, {"requestId": c.rid(), "vpcPeeringConnection": info}
    return ({"vpcId": vpc, "peerVpcId": info["accepterVpcInfo"]["vpcId"], "peerOwnerId": peer_acct,
             "peerRegion": c.region}, {"requestId": c.rid(), "vpcPeeringConnection": info})


def _ok(req_fn):
    def b(c):
        return req_fn(c), {"requestId": c.rid(), "_return": True}
    return b


EC2_CIS = {
    "AuthorizeSecurityGroupIngress": ec2_sg_rule(False, True),
    "AuthorizeSecurityGroupEgress": ec2_sg_rule(True, True),
    "RevokeSecurityGroupIngress": ec2_sg_rule(False, False),
    "RevokeSecurityGroupEgress": ec2_sg_rule(True, False),
    "CreateSecurityGroup": ec2_create_sg,
    "DeleteSecurityGroup": lambda c: ({"groupId": _sg(c)},
                                      {"requestId": c.rid(), "_return": True, "groupId": _sg(c)}),
    "ModifySecurityGroupRules": ec2_modify_sg_rules,
    "CreateNetworkAcl": ec2_create_acl,
    "CreateNetworkAclEntry": _ok(lambda c: _acl_entry(c)),
    "DeleteNetworkAcl": _ok(lambda c: {"networkAclId": c.r.choice(c.w["acls"])}),
    "DeleteNetworkAclEntry": _ok(lambda c: _acl_entry(c, False)),
    "ReplaceNetworkAclEntry": _ok(lambda c: _acl_entry(c)),
    "ReplaceNetworkAclAssociation": lambda c: (
        {"associationId": c.r.hexid("aclassoc-"), "networkAclId": c.r.choice(c.w["acls"])},
        {"requestId": c.rid(), "newAssociationId": c.r.hexid("aclassoc-")}),
    "CreateCustomerGateway": lambda c: (
        lambda ip, asn: ({"type": "ipsec.1", "ipAddress": ip, "bgpAsn": asn},
                         {"requestId": c.rid(), "customerGateway": {
                             "customerGatewayId": c.r.hexid("cgw-"), "state": "available",
                             "type": "ipsec.1", "ipAddress": ip, "bgpAsn": str(asn),
                             "tagSet": {}}}))(c.r.ipv4_public(), c.r.choice((65000, 65010, 64512))),
    "DeleteCustomerGateway": _ok(lambda c: {"customerGatewayId": c.r.hexid("cgw-")}),
    "CreateInternetGateway": lambda c: ({}, {"requestId": c.rid(), "internetGateway": {
        "internetGatewayId": c.r.hexid("igw-"), "ownerId": c.acct, "attachmentSet": {},
        "tagSet": {}}}),
    "AttachInternetGateway": _ok(lambda c: {"internetGatewayId": c.r.choice(c.w["igws"]),
                                            "vpcId": _vpc(c)[0]}),
    "DetachInternetGateway": _ok(lambda c: {"internetGatewayId": c.r.choice(c.w["igws"]),
                                            "vpcId": _vpc(c)[0]}),
    "DeleteInternetGateway": _ok(lambda c: {"internetGatewayId": c.r.choice(c.w["igws"])}),
    "CreateRoute": ec2_create_route,
    "ReplaceRoute": ec2_create_route,
    "CreateRouteTable": ec2_create_rtb,
    "ReplaceRouteTableAssociation": lambda c: (
        {"associationId": c.r.hexid("rtbassoc-"), "routeTableId": c.r.choice(c.w["rtbs"])},
        {"requestId": c.rid(), "newAssociationId": c.r.hexid("rtbassoc-"),
         "associationState": {"state": "associated"}}),
    "DeleteRouteTable": _ok(lambda c: {"routeTableId": c.r.choice(c.w["rtbs"])}),
    "DeleteRoute": _ok(lambda c: {"routeTableId": c.r.choice(c.w["rtbs"]),
                                  "destinationCidrBlock": "0.0.0.0/0"}),
    "DisassociateRouteTable": _ok(lambda c: {"associationId": c.r.hexid("rtbassoc-")}),
    "CreateVpc": ec2_create_vpc,
    "DeleteVpc": _ok(lambda c: {"vpcId": _vpc(c)[0]}),
    "ModifyVpcAttribute": _ok(lambda c: {"vpcId": _vpc(c)[0], c.r.choice(
        ("enableDnsHostnames", "enableDnsSupport")): {"value": c.r.chance(0.8)}}),
    "AcceptVpcPeeringConnection": lambda c: ec2_peering(c, True),
    "CreateVpcPeeringConnection": lambda c: ec2_peering(c, False),
    "DeleteVpcPeeringConnection": _ok(lambda c: {"vpcPeeringConnectionId": c.r.hexid("pcx-")}),
    "RejectVpcPeeringConnection": _ok(lambda c: {"vpcPeeringConnectionId": c.r.hexid("pcx-")}),
    "AttachClassicLinkVpc": _ok(lambda c: {"instanceId": c.r.choice(c.w["instances"]),
                                           "vpcId": _vpc(c)[0],
                                           "groupSet": {"items": [{"groupId": _sg(c)}]}}),
    "DetachClassicLinkVpc": _ok(lambda c: {"instanceId": c.r.choice(c.w["instances"]),
                                           "vpcId": _vpc(c)[0]}),
    "DisableVpcClassicLink": _ok(lambda c: {"vpcId": _vpc(c)[0]}),
    "EnableVpcClassicLink": _ok(lambda c: {"vpcId": _vpc(c)[0]}),
}
CLASSICLINK = {"AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
               "EnableVpcClassicLink"}
for _n, _b in EC2_CIS.items():
    CIS_BUILDERS[(EC2, _n)] = _b


def ec2_describe_instances(c):
    if c.r.chance(0.5):
        return {"instancesSet": {"items": [{"instanceId": i} for i in
                                           c.r.sample(c.w["instances"], c.r.randint(1, 3))]},
                "filterSet": {}}, None
    return {"maxResults": 1000, "instancesSet": {}, "filterSet": {"items": [
        {"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}}]}}, None


def ec2_run_instances(c):
    n = c.r.wchoice((1, 2, 3), (8, 2, 1))
    itype = c.r.choice(("t3.micro", "t3.large", "m6i.xlarge", "c6g.2xlarge", "r6i.large"))
    subnet = c.r.choice(c.w["subnets"])
    sg = _sg(c)
    req = {"instancesSet": {"items": [{"imageId": c.r.choice(c.w["amis"]), "minCount": n,
                                       "maxCount": n}]},
           "instanceType": itype, "blockDeviceMapping": {"items": [{
               "deviceName": "/dev/xvda", "ebs": {"volumeSize": 30, "deleteOnTermination": True,
                                                  "volumeType": "gp3", "encrypted": True}}]},
           "monitoring": {"enabled": False}, "disableApiTermination": False,
           "disableApiStop": False, "clientToken": c.r.uuid(),
           "networkInterfaceSet": {"items": [{"deviceIndex": 0, "subnetId": subnet,
                                              "groupSet": {"items": [{"groupId": sg}]}}]},
           "iamInstanceProfile": {"name": "eks-node-group-role"},
           "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": [
               {"key": "Name", "value": c.r.choice(("web", "worker", "bastion", "ci-runner"))}]}]}}
    items = []
    for _ in range(n):
        iid = c.r.hexid("i-")
        items.append({"instanceId": iid, "imageId": req["instancesSet"]["items"][0]["imageId"],
                      "currentInstanceBootMode": "uefi",
                      "instanceState": {"code": 0, "name": "pending"},
                      "privateDnsName": f"ip-10-0-{c.r.randint(0, 255)}-{c.r.randint(1, 254)}."
                                        f"{c.region}.compute.internal",
                      "amiLaunchIndex": 0, "productCodes": {}, "instanceType": itype,
                      "launchTime": c.t * 1000, "placement": {
                          "availabilityZone": c.region + c.r.choice("abc"), "tenancy": "default"},
                      "monitoring": {"state": "disabled"}, "subnetId": subnet,
                      "vpcId": _vpc(c)[0], "sourceDestCheck": True,
                      "groupSet": {"items": [{"groupId": sg, "groupName": "app-tier"}]},
                      "architecture": "x86_64", "rootDeviceType": "ebs",
                      "rootDeviceName": "/dev/xvda", "virtualizationType": "hvm",
                      "hypervisor": "xen", "ebsOptimized": False, "enaSupport": True})
    return req, {"requestId": c.rid(), "reservationId": c.r.hexid("r-"), "ownerId": c.acct,
                 "groupSet": {}, "instancesSet": {"items": items}}


def ec2_instance_state(op, frm, to):
    def b(c):
        iids = c.r.sample(c.w["instances"], c.r.randint(1, 2))
        return ({"instancesSet": {"items": [{"instanceId": i} for i in iids]}},
                {"requestId": c.rid(), "instancesSet": {"items": [
                    {"instanceId": i, "currentState": {"code": to[0], "name": to[1]},
                     "previousState": {"code": frm[0], "name": frm[1]}} for i in iids]}})
    return b


def ec2_create_tags(c):
    return ({"resourcesSet": {"items": [{"resourceId": c.r.choice(c.w["instances"])}]},
             "tagSet": {"items": [{"key": c.r.choice(("Owner", "env", "Name", "backup")),
                                   "value": c.r.choice(("platform", "prod", "daily", "web-1"))}]}},
            {"requestId": c.rid(), "_return": True})


def ec2_create_snapshot(c):
    vol = c.r.choice(c.w["volumes"])
    return ({"volumeId": vol, "description": "Created by AWS Backup"},
            {"requestId": c.rid(), "snapshotId": c.r.hexid("snap-"), "volumeId": vol,
             "status": "pending", "startTime": c.t * 1000, "progress": "", "ownerId": c.acct,
             "volumeSize": c.r.choice((8, 30, 100, 500)), "encrypted": True})


EC2_APIS = [
    Api(EC2, "DescribeInstances", True, 22, ec2_describe_instances),
    Api(EC2, "DescribeSecurityGroups", True, 10, lambda c: (
        {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": _sg(c)}]}
         if c.r.chance(0.5) else {}, "filterSet": {}}, None)),
    Api(EC2, "DescribeVpcs", True, 6, lambda c: ({"vpcSet": {}, "filterSet": {}}, None)),
    Api(EC2, "DescribeSubnets", True, 7, lambda c: ({"subnetSet": {}, "filterSet": {
        "items": [{"name": "vpc-id", "valueSet": {"items": [{"value": _vpc(c)[0]}]}}]}}, None)),
    Api(EC2, "DescribeRouteTables", True, 4, lambda c: ({"routeTableIdSet": {}, "filterSet": {}}, None)),
    Api(EC2, "DescribeNetworkAcls", True, 3, lambda c: ({"networkAclIdSet": {}, "filterSet": {}}, None)),
    Api(EC2, "DescribeNetworkInterfaces", True, 8, lambda c: (
        {"networkInterfaceIdSet": {}, "filterSet": {"items": [
            {"name": "subnet-id", "valueSet": {"items": [{"value": c.r.choice(c.w["subnets"])}]}}]}},
        None)),
    Api(EC2, "DescribeRegions", True, 6, lambda c: ({"regionSet": {}, "allRegions": False}, None)),
    Api(EC2, "DescribeAvailabilityZones", True, 4, lambda c: (
        {"availabilityZoneSet": {}, "availabilityZoneIdSet": {}}, None)),
    Api(EC2, "DescribeImages", True, 4, lambda c: (
        {"executableBySet": {}, "imagesSet": {"items": [{"imageId": c.r.choice(c.w["amis"])}]},
         "ownersSet": {}, "filterSet": {}}, None)),
    Api(EC2, "DescribeVolumes", True, 5, lambda c: ({"volumeSet": {}, "filterSet": {}}, None)),
    Api(EC2, "DescribeSnapshots", True, 3, lambda c: (
        {"snapshotSet": {}, "ownersSet": {"items": [{"owner": "self"}]}, "filterSet": {}}, None)),
    Api(EC2, "DescribeTags", True, 3, lambda c: ({"filterSet": {"items": [
        {"name": "resource-id", "valueSet": {"items": [{"value": c.r.choice(c.w["instances"])}]}}]}},
        None)),
    Api(EC2, "DescribeInstanceStatus", True, 5, lambda c: (
        {"instancesSet": {}, "filterSet": {}, "includeAllInstances": True}, None)),
    Api(EC2, "DescribeAddresses", True, 2, lambda c: ({"publicIpsSet": {}, "allocationIdsSet": {},
                                                       "filterSet": {}}, None)),
    Api(EC2, "DescribeInternetGateways", True, 2, lambda c: (
        {"internetGatewayIdSet": {}, "filterSet": {}}, None)),
    Api(EC2, "DescribeLaunchTemplates", True, 2, _none),
    Api(EC2, "DescribeInstanceTypes", True, 2, lambda c: (
        {"instanceTypeSet": {"items": [{"instanceType": "t3.micro"}]}}, None)),
    Api(EC2, "RunInstances", False, 0.8, ec2_run_instances),
    Api(EC2, "TerminateInstances", False, 0.4, ec2_instance_state("t", (16, "running"),
                                                                   (32, "shutting-down"))),
    Api(EC2, "StartInstances", False, 0.3, ec2_instance_state("s", (80, "stopped"),
                                                               (0, "pending"))),
    Api(EC2, "StopInstances", False, 0.3, ec2_instance_state("p", (16, "running"),
                                                              (64, "stopping"))),
    Api(EC2, "CreateTags", False, 1.2, ec2_create_tags),
    Api(EC2, "CreateSnapshot", False, 0.5, ec2_create_snapshot,
        actors={"auto": 2, "human": 1}),
    Api(EC2, "CreateNetworkInterface", False, 0.6, lambda c: (
        lambda subnet, sg: (
            {"subnetId": subnet, "description": "AWS Lambda VPC ENI-order-processor",
             "groupSet": {"items": [{"groupId": sg}]}, "privateIpAddressesSet": {}},
            {"requestId": c.rid(), "networkInterface": {
                "networkInterfaceId": c.r.hexid("eni-"), "subnetId": subnet, "vpcId": _vpc(c)[0],
                "ownerId": c.acct, "requesterId": "AROA" + c.r.chars(ID_CHARS, 17),
                "requesterManaged": True, "status": "pending", "interfaceType": "lambda",
                "privateIpAddress": f"10.0.{c.r.randint(0, 255)}.{c.r.randint(1, 254)}",
                "groupSet": {"items": [{"groupId": sg, "groupName": "lambda-egress"}]},
                "sourceDestCheck": True, "tagSet": {}}}))(c.r.choice(c.w["subnets"]), _sg(c)),
        actors={"aws": 1}, hosts=("lambda.amazonaws.com",)),
]


# ---- CloudTrail --------------------------------------------------------------------------

CT = "cloudtrail.amazonaws.com"


def _trail_arn(c):
    return f"arn:aws:cloudtrail:{c.region}:{c.acct}:trail/{c.r.choice(TRAIL_NAMES)}"


def ct_create_trail(update):
    def b(c):
        name = c.r.choice(TRAIL_NAMES)
        bucket = [b for b in c.w["buckets"] if b.startswith("cloudtrail-logs")][0]
        req = {"name": name, "s3BucketName": bucket, "isMultiRegionTrail": True,
               "enableLogFileValidation": True, "includeGlobalServiceEvents": True}
        if c.r.chance(0.7):
            req["cloudWatchLogsLogGroupArn"] = \
                f"arn:aws:logs:{c.region}:{c.acct}:log-group:CloudTrail/DefaultLogGroup:*"
            req["cloudWatchLogsRoleArn"] = f"arn:aws:iam::{c.acct}:role/CloudTrail_CloudWatchLogs_Role"
        if c.r.chance(0.5):
            req["kmsKeyId"] = f"arn:aws:kms:{c.region}:{c.acct}:key/{c.r.choice(c.w['kms'])}"
        if update:
            req["name"] = f"arn:aws:cloudtrail:{c.region}:{c.acct}:trail/{name}"
            if c.r.chance(0.3):
                req["isMultiRegionTrail"] = False
        else:
            req["isOrganizationTrail"] = c.acct == MGMT_ACCOUNT and c.r.chance(0.5)
        resp = {"name": name, "s3BucketName": bucket,
                "includeGlobalServiceEvents": True, "isMultiRegionTrail": req["isMultiRegionTrail"],
                "trailARN": f"arn:aws:cloudtrail:{c.region}:{c.acct}:trail/{name}",
                "logFileValidationEnabled": True,
                "isOrganizationTrail": req.get("isOrganizationTrail", False)}
        for k in ("cloudWatchLogsLogGroupArn", "cloudWatchLogsRoleArn", "kmsKeyId"):
            if k in req:
                resp[k] = req[k]
        return req, resp
    return b


CT_APIS = [
    Api(CT, "DescribeTrails", True, 6, lambda c: (
        {"trailNameList": [], "includeShadowTrails": c.r.chance(0.7)}, None)),
    Api(CT, "GetTrailStatus", True, 5, lambda c: ({"name": _trail_arn(c)}, None)),
    Api(CT, "GetEventSelectors", True, 3, lambda c: ({"trailName": _trail_arn(c)}, None)),
    Api(CT, "ListTrails", True, 2, _none),
    Api(CT, "GetTrail", True, 2, lambda c: ({"name": c.r.choice(TRAIL_NAMES)}, None)),
    Api(CT, "GetInsightSelectors", True, 1, lambda c: ({"trailName": _trail_arn(c)}, None),
        err_boost=4),
    Api(CT, "LookupEvents", True, 3, lambda c: (
        {"maxResults": 50, "lookupAttributes": [
            {"attributeKey": "EventName",
             "attributeValue": c.r.choice(("ConsoleLogin", "RunInstances", "PutBucketPolicy"))}]}
        if c.r.chance(0.6) else {"maxResults": 50}, None), actors={"human": 3, "auto": 1}),
    Api(CT, "PutEventSelectors", False, 0.1, lambda c: (
        {"trailName": c.r.choice(TRAIL_NAMES), "eventSelectors": [
            {"readWriteType": "All", "includeManagementEvents": True,
             "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}],
             "excludeManagementEventSources": []}]}, None)),
]
CIS_BUILDERS.update({
    (CT, "CreateTrail"): ct_create_trail(False),
    (CT, "UpdateTrail"): ct_create_trail(True),
    (CT, "DeleteTrail"): lambda c: ({"name": _trail_arn(c)}, None),
    (CT, "StartLogging"): lambda c: ({"name": _trail_arn(c)}, None),
    (CT, "StopLogging"): lambda c: ({"name": _trail_arn(c)}, None),
})


# ---- KMS ---------------------------------------------------------------------------------

KMS = "kms.amazonaws.com"


def _key_arn(c):
    return f"arn:aws:kms:{c.region}:{c.acct}:key/{c.r.choice(c.w['kms'])}"


def kms_res(c, arn):
    c.out["resources"] = [{"accountId": c.acct, "type": "AWS::KMS::Key", "ARN": arn}]


def kms_decrypt(c):
    arn = _key_arn(c)
    kms_res(c, arn)
    inv = c.p.invoked_by or ""
    if inv == "s3.amazonaws.com" or (not inv and c.r.chance(0.4)):
        ectx = {"aws:s3:arn": f"arn:aws:s3:::{_bucket(c)}/data/{c.r.chars(HEX, 16)}.parquet"}
    elif c.r.chance(0.5):
        ectx = {"SecretARN": f"arn:aws:secretsmanager:{c.region}:{c.acct}:secret:"
                             f"{c.r.choice(SECRETS)}-{c.r.chars(B64[:62], 6)}",
                "SecretVersionId": c.r.uuid()}
    else:
        ectx = {"aws:lambda:FunctionArn":
                f"arn:aws:lambda:{c.region}:{c.acct}:function:{c.r.choice(LAMBDA_FUNCTIONS)}"}
    return {"encryptionContext": ectx, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, None


def kms_gdk(c):
    arn = _key_arn(c)
    kms_res(c, arn)
    return {"keyId": arn if c.r.chance(0.5) else c.r.choice(c.w["kms_aliases"]),
            "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{_bucket(c)}"},
            "keySpec": "AES_256"}, None


def kms_keyop(extra=None, resp_fn=None):
    def b(c):
        arn = _key_arn(c)
        kms_res(c, arn)
        req = {"keyId": arn if c.r.chance(0.5) else arn.rsplit("/", 1)[1]}
        if extra:
            req.update(extra(c))
        return req, (resp_fn(c, arn, req) if resp_fn else None)
    return b


KMS_APIS = [
    Api(KMS, "Decrypt", True, 20, kms_decrypt, actors={"auto": 6, "human": 1}),
    Api(KMS, "GenerateDataKey", True, 9, kms_gdk, actors={"auto": 5, "human": 1}),
    Api(KMS, "Encrypt", True, 2, kms_keyop(lambda c: {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"})),
    Api(KMS, "DescribeKey", True, 6, kms_keyop()),
    Api(KMS, "ListAliases", True, 3, _none),
    Api(KMS, "ListKeys", True, 2, lambda c: ({"limit": 1000}, None)),
    Api(KMS, "GetKeyPolicy", True, 2, kms_keyop(lambda c: {"policyName": "default"})),
    Api(KMS, "GetKeyRotationStatus", True, 2, kms_keyop()),
    Api(KMS, "ListResourceTags", True, 1, kms_keyop()),
    Api(KMS, "CreateKey", False, 0.1, lambda c: (
        {"keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS",
         "bypassPolicyLockoutSafetyCheck": False, "description": "app data key",
         "multiRegion": False},
        {"keyMetadata": {"aWSAccountId": c.acct, "keyId": c.r.uuid(), "creationDate": aws_date(c.t),
                         "enabled": True, "keyUsage": "ENCRYPT_DECRYPT", "keyState": "Enabled",
                         "origin": "AWS_KMS", "keyManager": "CUSTOMER",
                         "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
                         "keySpec": "SYMMETRIC_DEFAULT",
                         "encryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "multiRegion": False}})),
    Api(KMS, "EnableKey", False, 0.05, kms_keyop()),
    Api(KMS, "CancelKeyDeletion", False, 0.05, kms_keyop(None, lambda c, a, q: {"keyId": a})),
    Api(KMS, "EnableKeyRotation", False, 0.1, kms_keyop()),
    Api(KMS, "RotateKey", False, 0.3, lambda c: (kms_res(c, _key_arn(c)), (None, None))[1],
        actors={"aws": 1}, etype="AwsServiceEvent"),
]
CIS_BUILDERS.update({
    (KMS, "DisableKey"): kms_keyop(),
    (KMS, "ScheduleKeyDeletion"): kms_keyop(
        lambda c: {"pendingWindowInDays": c.r.choice((7, 30))},
        lambda c, a, q: {"keyId": a,
                         "deletionDate": aws_date(c.t + q["pendingWindowInDays"] * 86400),
                         "keyState": "PendingDeletion",
                         "pendingWindowInDays": q["pendingWindowInDays"]}),
})


# ---- Config ------------------------------------------------------------------------------

CFG = "config.amazonaws.com"


def cfg_put_rule(c):
    name, ident, rtype = c.r.choice(CONFIG_RULES)
    rule = {"configRuleName": name, "source": {"owner": "AWS", "sourceIdentifier": ident}}
    if rtype:
        rule["scope"] = {"complianceResourceTypes": [rtype]}
    else:
        rule["maximumExecutionFrequency"] = "TwentyFour_Hours"
    return {"configRule": rule, "tags": []}, None


CFG_APIS = [
    Api(CFG, "DescribeConfigurationRecorders", True, 3, _req({})),
    Api(CFG, "DescribeConfigurationRecorderStatus", True, 3, _req({})),
    Api(CFG, "DescribeDeliveryChannels", True, 2, _req({})),
    Api(CFG, "DescribeConfigRules", True, 2, _req({})),
    Api(CFG, "DescribeComplianceByConfigRule", True, 2, _req({})),
    Api(CFG, "GetComplianceDetailsByConfigRule", True, 1, lambda c: (
        {"configRuleName": c.r.choice(CONFIG_RULES)[0], "complianceTypes": ["NON_COMPLIANT"],
         "limit": 100}, None)),
    Api(CFG, "PutEvaluations", False, 3, lambda c: (
        {"evaluations": [{"complianceResourceType": "AWS::EC2::SecurityGroup",
                          "complianceResourceId": _sg(c),
                          "complianceType": c.r.choice(("COMPLIANT", "NON_COMPLIANT")),
                          "orderingTimestamp": c.t * 1000}],
         "resultToken": c.r.chars(B64, 96), "testMode": False}, None),
        actors={"auto": 1}),
    Api(CFG, "PutConfigRule", False, 0.15, cfg_put_rule),
    Api(CFG, "DeleteConfigRule", False, 0.05, lambda c: (
        {"configRuleName": c.r.choice(CONFIG_RULES)[0]}, None)),
    Api(CFG, "StartConfigurationRecorder", False, 0.05, _req({"configurationRecorderName": "default"})),
]
CIS_BUILDERS.update({
    (CFG, "StopConfigurationRecorder"): _req({"configurationRecorderName": "default"}),
    (CFG, "DeleteDeliveryChannel"): _req({"deliveryChannelName": "default"}),
    (CFG, "PutDeliveryChannel"): lambda c: ({"deliveryChannel": {
        "name": "default",
        "s3BucketName": [b for b in c.w["buckets"] if b.startswith("config-snapshots")][0],
        "configSnapshotDeliveryProperties": {"deliveryFrequency": "TwentyFour_Hours"}}}, None),
    (CFG, "PutConfigurationRecorder"): lambda c: ({"configurationRecorder": {
        "name": "default",
        "roleARN": f"arn:aws:iam::{c.acct}:role/aws-service-role/config.amazonaws.com/"
                   "AWSServiceRoleForConfig",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": c.r.chance(0.5),
                           "resourceTypes": []}}}, None),
})


# ---- Organizations ---------------------------------------------------------------------

ORG = "organizations.amazonaws.com"


def _scp(c):
    i = c.r.randint(0, len(SCP_NAMES) - 1)
    return c.w["scps"][i], SCP_NAMES[i]


def org_create_policy(c):
    name = c.r.choice(SCP_NAMES)
    content = scp_document(c.r)
    pid = f"p-{c.r.chars(HEX, 8)}"
    return ({"content": content, "description": f"{name} guardrail", "name": name,
             "type": "SERVICE_CONTROL_POLICY"},
            {"policy": {"policySummary": {
                "id": pid, "arn": f"arn:aws:organizations::{MGMT_ACCOUNT}:policy/{ORG_ID}/"
                                  f"service_control_policy/{pid}",
                "name": name, "description": f"{name} guardrail",
                "type": "SERVICE_CONTROL_POLICY", "awsManaged": False}, "content": content}})


def _target(c):
    return c.r.choice((c.r.choice(c.w["ous"]), c.r.choice(ACCOUNTS[1:]), ORG_ROOT))


def _handshake(c):
    return {"handshakeId": c.r.choice(c.w["handshakes"])}, None


ORG_APIS = [
    Api(ORG, "DescribeOrganization", True, 4, _none),
    Api(ORG, "ListAccounts", True, 3, _none),
    Api(ORG, "ListRoots", True, 1, _none),
    Api(ORG, "ListPolicies", True, 1, _req({"filter": "SERVICE_CONTROL_POLICY"})),
    Api(ORG, "DescribePolicy", True, 1, lambda c: ({"policyId": _scp(c)[0]}, None)),
    Api(ORG, "ListOrganizationalUnitsForParent", True, 1, _req({"parentId": ORG_ROOT})),
    Api(ORG, "DescribeAccount", True, 1, lambda c: ({"accountId": c.r.choice(ACCOUNTS)}, None)),
    Api(ORG, "ListAWSServiceAccessForOrganization", True, 0.5, _none),
]
CIS_BUILDERS.update({
    (ORG, "AcceptHandshake"): _handshake,
    (ORG, "DeclineHandshake"): _handshake,
    (ORG, "AttachPolicy"): lambda c: ({"policyId": _scp(c)[0], "targetId": _target(c)}, None),
    (ORG, "DetachPolicy"): lambda c: ({"policyId": _scp(c)[0], "targetId": _target(c)}, None),
    (ORG, "CreatePolicy"): org_create_policy,
    (ORG, "DeletePolicy"): lambda c: ({"policyId": _scp(c)[0]}, None),
    (ORG, "UpdatePolicy"): lambda c: ({"policyId": _scp(c)[0], "content": scp_document(c.r)}, None),
    (ORG, "CreateAccount"): lambda c: (
        {"accountName": f"workload-{c.r.chars(HEX, 4)}",
         "email": f"aws+{c.r.chars(HEX, 6)}@{EMAIL_DOMAIN}", "roleName": "OrganizationAccountAccessRole",
         "iamUserAccessToBilling": "ALLOW"},
        {"createAccountStatus": {"id": f"car-{c.r.chars(HEX, 32)}", "state": "IN_PROGRESS",
                                 "accountName": "HIDDEN_DUE_TO_SECURITY_REASONS",
                                 "requestedTimestamp": aws_date(c.t)}}),
    (ORG, "CreateOrganizationalUnit"): lambda c: (
        {"parentId": ORG_ROOT, "name": c.r.choice(OU_NAMES)},
        {"organizationalUnit": {"id": c.r.choice(c.w["ous"]), "name": c.r.choice(OU_NAMES),
                                "arn": f"arn:aws:organizations::{MGMT_ACCOUNT}:ou/{ORG_ID}/"
                                       f"{c.r.choice(c.w['ous'])}"}}),
    (ORG, "DeleteOrganizationalUnit"): lambda c: (
        {"organizationalUnitId": c.r.choice(c.w["ous"])}, None),
    (ORG, "UpdateOrganizationalUnit"): lambda c: (
        {"organizationalUnitId": c.r.choice(c.w["ous"]), "name": c.r.choice(OU_NAMES)}, None),
    (ORG, "DeleteOrganization"): _none,
    (ORG, "DisablePolicyType"): lambda c: (
        {"rootId": ORG_ROOT, "policyType": c.r.choice(("TAG_POLICY", "BACKUP_POLICY"))}, None),
    (ORG, "EnablePolicyType"): lambda c: (
        {"rootId": ORG_ROOT, "policyType": c.r.choice(("SERVICE_CONTROL_POLICY", "TAG_POLICY"))},
        None),
    (ORG, "InviteAccountToOrganization"): lambda c: (
        {"target": {"id": c.r.choice(ACCOUNTS[1:]), "type": "ACCOUNT"}, "notes": "Please join"},
        {"handshake": {"id": c.r.choice(c.w["handshakes"]), "state": "OPEN",
                       "action": "INVITE"}}),
    (ORG, "LeaveOrganization"): _none,
    (ORG, "MoveAccount"): lambda c: (
        {"accountId": c.r.choice(ACCOUNTS[1:]), "sourceParentId": ORG_ROOT,
         "destinationParentId": c.r.choice(c.w["ous"])}, None),
    (ORG, "RemoveAccountFromOrganization"): lambda c: ({"accountId": c.r.choice(ACCOUNTS[1:])}, None),
})


# ---- IoT (has CreatePolicy/AttachPolicy too) ----------------------------------------------

IOT = "iot.amazonaws.com"


def iot_create_policy(c):
    name = c.r.choice(IOT_POLICIES)
    doc = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iot:Connect", "iot:Publish", "iot:Subscribe", "iot:Receive"],
         "Resource": f"arn:aws:iot:{c.region}:{c.acct}:*"}]})
    return ({"policyName": name, "policyDocument": doc},
            {"policyName": name, "policyArn": f"arn:aws:iot:{c.region}:{c.acct}:policy/{name}",
             "policyDocument": doc, "policyVersionId": "1"})


IOT_APIS = [
    Api(IOT, "ListThings", True, 2, _req({"maxResults": 250})),
    Api(IOT, "DescribeEndpoint", True, 2, _req({"endpointType": "iot:Data-ATS"})),
    Api(IOT, "ListPolicies", True, 1, _none),
    Api(IOT, "CreatePolicy", False, 0.6, iot_create_policy),
    Api(IOT, "AttachPolicy", False, 0.6, lambda c: (
        {"policyName": c.r.choice(IOT_POLICIES),
         "target": f"arn:aws:iot:{c.region}:{c.acct}:cert/{c.r.choice(c.w['certs'])}"}, None)),
    Api(IOT, "CreateThing", False, 0.3, lambda c: (
        lambda n: ({"thingName": n}, {"thingName": n, "thingArn":
                                      f"arn:aws:iot:{c.region}:{c.acct}:thing/{n}",
                                      "thingId": c.r.uuid()}))(f"sensor-{c.r.randint(1000, 9999)}")),
]


# ---- Lambda ------------------------------------------------------------------------------

LAM = "lambda.amazonaws.com"


def _fn(c):
    return c.r.choice(LAMBDA_FUNCTIONS)


def lambda_invoke(c):
    fn = _fn(c)
    arn = f"arn:aws:lambda:{c.region}:{c.acct}:function:{fn}"
    c.out["resources"] = [{"accountId": c.acct, "type": "AWS::Lambda::Function", "ARN": arn}]
    c.out["additionalEventData"] = {"functionVersion": f"{arn}:$LATEST"}
    return {"functionName": arn, "invocationType": c.r.choice(("RequestResponse", "Event")),
            "sourceArn": f"arn:aws:s3:::{_bucket(c)}"} if c.r.chance(0.3) else \
        {"functionName": arn}, None


def lambda_update_code(c):
    fn = _fn(c)
    return ({"functionName": fn, "publish": False, "dryRun": False,
             "s3Bucket": _bucket(c), "s3Key": f"builds/{fn}/{c.r.chars(HEX, 40)}.zip"},
            {"functionName": fn, "functionArn": f"arn:aws:lambda:{c.region}:{c.acct}:function:{fn}",
             "runtime": c.r.choice(("python3.12", "nodejs20.x", "java21")),
             "role": f"arn:aws:iam::{c.acct}:role/{fn}-role", "handler": "app.handler",
             "codeSize": c.r.randint(10000, 50_000_000), "description": "", "timeout": 30,
             "memorySize": c.r.choice((128, 256, 1024)), "lastModified":
             time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(c.t)),
             "codeSha256": c.r.chars(B64, 43) + "=", "version": "$LATEST",
             "tracingConfig": {"mode": "PassThrough"}, "revisionId": c.r.uuid(),
             "state": "Active", "lastUpdateStatus": "InProgress",
             "packageType": "Zip", "architectures": ["x86_64"],
             "ephemeralStorage": {"size": 512}})


LAMBDA_APIS = [
    Api(LAM, "ListFunctions20150331", True, 4, _none),
    Api(LAM, "GetFunction20150331v2", True, 4, lambda c: ({"functionName": _fn(c)}, None)),
    Api(LAM, "GetFunctionConfiguration20150331v2", True, 3,
        lambda c: ({"functionName": _fn(c)}, None)),
    Api(LAM, "GetPolicy20150331v2", True, 2, lambda c: ({"functionName": _fn(c)}, None),
        err_boost=3),
    Api(LAM, "ListEventSourceMappings20150331", True, 1, _none),
    Api(LAM, "ListTags20170331", True, 1, lambda c: (
        {"resource": f"arn:aws:lambda:{c.region}:{c.acct}:function:{_fn(c)}"}, None)),
    Api(LAM, "UpdateFunctionCode20150331v2", False, 0.5, lambda_update_code),
    Api(LAM, "UpdateFunctionConfiguration20150331v2", False, 0.3, lambda c: (
        {"functionName": _fn(c), "environment": {}, "timeout": c.r.choice((30, 60, 300))}, None)),
    Api(LAM, "AddPermission20150331v2", False, 0.15, lambda c: (
        {"functionName": _fn(c), "statementId": f"AllowExecutionFromS3-{c.r.chars(HEX, 6)}",
         "action": "lambda:InvokeFunction", "principal": "s3.amazonaws.com",
         "sourceArn": f"arn:aws:s3:::{_bucket(c)}"}, None)),
    Api(LAM, "Invoke", False, 6, lambda_invoke, data=True,
        actors={"aws": 3, "auto": 4, "human": 1},
        hosts=("s3.amazonaws.com", "events.amazonaws.com", "apigateway.amazonaws.com")),
]


# ---- CloudWatch Logs / CloudWatch --------------------------------------------------------

LOGS = "logs.amazonaws.com"
CW = "monitoring.amazonaws.com"


def logs_put_metric_filter(c):
    name, pattern = c.r.choice(METRIC_FILTERS)
    return {"logGroupName": c.r.choice(LOG_GROUPS), "filterName": name, "filterPattern": pattern,
            "metricTransformations": [{"metricName": name, "metricNamespace": "CISBenchmark",
                                       "metricValue": "1"}]}, None


LOGS_APIS = [
    Api(LOGS, "DescribeLogGroups", True, 8, lambda c: (
        {"logGroupNamePrefix": c.r.choice(("/aws/lambda/", "/ecs/", "CloudTrail"))}
        if c.r.chance(0.5) else None, None)),
    Api(LOGS, "DescribeLogStreams", True, 4, lambda c: (
        {"logGroupName": c.r.choice(LOG_GROUPS), "orderBy": "LastEventTime", "descending": True,
         "limit": 50}, None)),
    Api(LOGS, "DescribeMetricFilters", True, 2, lambda c: (
        {"logGroupName": "CloudTrail/DefaultLogGroup"}, None)),
    Api(LOGS, "FilterLogEvents", True, 2, lambda c: (
        {"logGroupName": c.r.choice(LOG_GROUPS), "startTime": (c.t - 3600) * 1000,
         "endTime": c.t * 1000, "filterPattern": c.r.choice(("ERROR", '"Task timed out"',
                                                               "{ $.level = \"error\" }")),
         "interleaved": True}, None), actors={"human": 2, "auto": 1}),
    Api(LOGS, "StartQuery", True, 1, lambda c: (
        {"logGroupNames": [c.r.choice(LOG_GROUPS)], "startTime": c.t - 86400, "endTime": c.t,
         "queryString": "fields @timestamp, @message | filter @message like /ERROR/ | "
                        "sort @timestamp desc | limit 20"},
        {"queryId": c.r.uuid()}), actors={"human": 1}),
    Api(LOGS, "CreateLogStream", False, 4, lambda c: (
        {"logGroupName": c.r.choice(LOG_GROUPS[:2]),
         "logStreamName": time.strftime("%Y/%m/%d", time.gmtime(c.t)) + f"/[$LATEST]{c.r.chars(HEX, 32)}"},
        None), actors={"auto": 1}),
    Api(LOGS, "CreateLogGroup", False, 0.3, lambda c: ({"logGroupName": c.r.choice(LOG_GROUPS)}, None),
        err_boost=4),
    Api(LOGS, "PutRetentionPolicy", False, 0.2, lambda c: (
        {"logGroupName": c.r.choice(LOG_GROUPS), "retentionInDays": c.r.choice((14, 30, 90, 365))},
        None)),
    Api(LOGS, "PutMetricFilter", False, 0.15, logs_put_metric_filter),
    Api(LOGS, "DeleteMetricFilter", False, 0.05, lambda c: (
        {"logGroupName": "CloudTrail/DefaultLogGroup", "filterName": c.r.choice(METRIC_FILTERS)[0]},
        None)),
    Api(LOGS, "PutSubscriptionFilter", False, 0.1, lambda c: (
        {"logGroupName": c.r.choice(LOG_GROUPS), "filterName": "to-firehose", "filterPattern": "",
         "destinationArn": f"arn:aws:firehose:{c.region}:{c.acct}:deliverystream/logs-archive"},
        None)),
]
CW_APIS = [
    Api(CW, "DescribeAlarms", True, 4, lambda c: ({"maxRecords": 100} if c.r.chance(0.5) else
                                                  {"alarmNamePrefix": "CIS-"}, None)),
    Api(CW, "GetMetricData", True, 5, lambda c: (
        {"metricDataQueries": [{"id": "m1", "metricStat": {
            "metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization",
                       "dimensions": [{"name": "InstanceId", "value": c.r.choice(c.w["instances"])}]},
            "period": 300, "stat": "Average"}, "returnData": True}],
         "startTime": aws_date(c.t - 3600), "endTime": aws_date(c.t)}, None),
        actors={"auto": 3, "human": 1}),
    Api(CW, "ListMetrics", True, 3, lambda c: ({"namespace": c.r.choice(("AWS/EC2", "AWS/Lambda",
                                                                        "AWS/RDS", "CISBenchmark"))},
                                               None), actors={"auto": 3}),
    Api(CW, "GetMetricStatistics", True, 2, lambda c: (
        {"namespace": "AWS/Lambda", "metricName": "Errors", "startTime": aws_date(c.t - 3600),
         "endTime": aws_date(c.t), "period": 60, "statistics": ["Sum"]}, None)),
    Api(CW, "PutMetricAlarm", False, 0.2, lambda c: (
        lambda name: ({"alarmName": f"CIS-{name}", "metricName": name,
                       "namespace": "CISBenchmark", "statistic": "Sum", "period": 300,
                       "threshold": 1.0, "comparisonOperator": "GreaterThanOrEqualToThreshold",
                       "evaluationPeriods": 1,
                       "alarmActions": [f"arn:aws:sns:{c.region}:{c.acct}:security-alerts"]}, None)
    )(c.r.choice(METRIC_FILTERS)[0])),
]


# ---- other services ------------------------------------------------------------------------

def simple(src, specs):
    return [Api(src, n, ro, w, b, **kw) for (n, ro, w, b, kw) in specs]


SM = "secretsmanager.amazonaws.com"
SSM = "ssm.amazonaws.com"
DDB = "dynamodb.amazonaws.com"
OTHER_APIS = (
    simple(SM, [
        ("GetSecretValue", True, 9, lambda c: ({"secretId": c.r.choice(SECRETS)}, None),
         {"actors": {"auto": 6, "human": 1}}),
        ("DescribeSecret", True, 3, lambda c: ({"secretId": c.r.choice(SECRETS)}, None), {}),
        ("ListSecrets", True, 2, _none, {}),
        ("PutSecretValue", False, 0.2, lambda c: (
            {"secretId": c.r.choice(SECRETS), "clientRequestToken": c.r.uuid()},
            {"arn": f"arn:aws:secretsmanager:{c.region}:{c.acct}:secret:{c.r.choice(SECRETS)}",
             "versionId": c.r.uuid(), "versionStages": ["AWSCURRENT"]}), {}),
    ])
    + simple(SSM, [
        ("GetParameter", True, 6, lambda c: ({"name": c.r.choice(SSM_PARAMS),
                                              "withDecryption": c.r.chance(0.5)}, None),
         {"actors": {"auto": 5, "human": 1}}),
        ("GetParameters", True, 3, lambda c: ({"names": c.r.sample(SSM_PARAMS, 2),
                                               "withDecryption": True}, None),
         {"actors": {"auto": 1}}),
        ("GetParametersByPath", True, 2, lambda c: ({"path": "/prod/app", "recursive": True,
                                                     "withDecryption": True}, None), {}),
        ("DescribeInstanceInformation", True, 2, _none, {}),
        ("UpdateInstanceInformation", False, 7, lambda c: (
            {"instanceId": c.r.choice(c.w["instances"]), "agentVersion": "3.3.380.0",
             "agentName": "amazon-ssm-agent", "platformType": "Linux",
             "platformName": "Amazon Linux", "platformVersion": "2023",
             "iPAddress": f"10.0.{c.r.randint(0, 255)}.{c.r.randint(1, 254)}",
             "computerName": f"ip-10-0-{c.r.randint(0, 255)}-{c.r.randint(1, 254)}."
                             f"{c.region}.compute.internal", "agentStatus": "Active"}, None),
         {"actors": {"auto": 1}}),
        ("PutParameter", False, 0.2, lambda c: (
            {"name": c.r.choice(SSM_PARAMS[:3]), "type": "SecureString", "overwrite": True,
             "keyId": "alias/aws/ssm"}, {"version": c.r.randint(2, 40), "tier": "Standard"}), {}),
        ("StartSession", False, 0.2, lambda c: (
            lambda i: ({"target": i}, {"sessionId": f"{c.p.name}-{c.r.chars(HEX, 17)}",
                                       "tokenValue": "Value hidden due to security reasons.",
                                       "streamUrl": f"wss://ssmmessages.{c.region}.amazonaws.com"
                                                    f"/v1/data-channel/{c.p.name}-{c.r.chars(HEX, 17)}"
                                                    "?role=publish_subscribe&cell-number=AAEAA"}))
            (c.r.choice(c.w["instances"])), {"actors": {"human": 1}}),
    ])
    + simple(DDB, [
        ("DescribeTable", True, 5, lambda c: ({"tableName": c.r.choice(DDB_TABLES)}, None), {}),
        ("ListTables", True, 2, _none, {}),
        ("DescribeContinuousBackups", True, 1, lambda c: ({"tableName": c.r.choice(DDB_TABLES)},
                                                          None), {}),
        ("DescribeTimeToLive", True, 1, lambda c: ({"tableName": c.r.choice(DDB_TABLES)}, None), {}),
        ("UpdateTable", False, 0.1, lambda c: (
            {"tableName": c.r.choice(DDB_TABLES), "billingMode": "PAY_PER_REQUEST"}, None), {}),
    ])
    + simple("ecr.amazonaws.com", [
        ("GetAuthorizationToken", True, 5, _none, {"actors": {"auto": 1}}),
        ("DescribeRepositories", True, 2, _none, {}),
        ("DescribeImages", True, 1, lambda c: ({"repositoryName": c.r.choice(
            ("payments-api", "order-processor", "nginx-base"))}, None), {}),
    ])
    + simple("eks.amazonaws.com", [
        ("DescribeCluster", True, 4, lambda c: ({"name": c.r.choice(CLUSTERS)}, None), {}),
        ("ListClusters", True, 1, _none, {}),
    ])
    + simple("elasticloadbalancing.amazonaws.com", [
        ("DescribeLoadBalancers", True, 3, _none, {}),
        ("DescribeTargetHealth", True, 4, lambda c: (
            {"targetGroupArn": f"arn:aws:elasticloadbalancing:{c.region}:{c.acct}:targetgroup/"
                               f"web-tg/{c.r.chars(HEX, 16)}"}, None), {"actors": {"auto": 1}}),
    ])
    + simple("autoscaling.amazonaws.com", [
        ("DescribeAutoScalingGroups", True, 3, _none, {}),
    ])
    + simple("rds.amazonaws.com", [
        ("DescribeDBInstances", True, 3, _none, {}),
        ("DescribeDBClusters", True, 1, _none, {}),
        ("CreateDBSnapshot", False, 0.1, lambda c: (
            {"dBSnapshotIdentifier": f"orders-db-{time.strftime('%Y-%m-%d', time.gmtime(c.t))}",
             "dBInstanceIdentifier": "orders-db"}, None), {}),
    ])
    + simple("cloudformation.amazonaws.com", [
        ("DescribeStacks", True, 4, lambda c: ({"stackName": c.r.choice(STACKS)}
                                               if c.r.chance(0.6) else None, None), {}),
        ("ListStacks", True, 1, _none, {}),
        ("DescribeStackEvents", True, 2, lambda c: ({"stackName": c.r.choice(STACKS)}, None), {}),
        ("UpdateStack", False, 0.1, lambda c: (
            {"stackName": c.r.choice(STACKS), "templateURL":
             f"https://s3.amazonaws.com/cf-templates-{c.r.chars(HEX, 12)}-{c.region}/template.yaml",
             "capabilities": ["CAPABILITY_NAMED_IAM"]},
            {"stackId": f"arn:aws:cloudformation:{c.region}:{c.acct}:stack/{c.r.choice(STACKS)}/"
                        f"{c.r.uuid()}"}), {}),
    ])
    + simple("guardduty.amazonaws.com", [
        ("ListDetectors", True, 2, _none, {}),
        ("GetFindings", True, 1, lambda c: ({"detectorId": c.r.chars(HEX, 32),
                                             "findingIds": [c.r.chars(HEX, 32)]}, None), {}),
    ])
    + simple("securityhub.amazonaws.com", [
        ("GetFindings", True, 2, lambda c: ({"maxResults": 100, "filters": {
            "recordState": [{"value": "ACTIVE", "comparison": "EQUALS"}]}}, None), {}),
        ("BatchImportFindings", False, 1, lambda c: (
            {"findings": [{"productArn": f"arn:aws:securityhub:{c.region}:{c.acct}:product/"
                                          f"{c.acct}/default", "schemaVersion": "2018-10-08"}]},
            {"failedCount": 0, "successCount": 1, "failedFindings": []}),
         {"actors": {"svc": 1}, "hosts": ("securityhub.amazonaws.com", "guardduty.amazonaws.com",
                                           "inspector2.amazonaws.com",
                                           "access-analyzer.amazonaws.com")}),
        ("DescribeHub", True, 1, _none, {}),
    ])
    + simple("route53.amazonaws.com", [
        ("ListHostedZones", True, 2, _none, {}),
        ("ChangeResourceRecordSets", False, 0.2, lambda c: (
            {"hostedZoneId": "Z" + c.r.chars(ID_CHARS, 20), "changeBatch": {"changes": [
                {"action": "UPSERT", "resourceRecordSet": {
                    "name": f"{c.r.choice(('api', 'www', 'app'))}.example.com", "type": "A",
                    "tTL": 60, "resourceRecords": [{"value": c.r.ipv4_public()}]}}]}},
            {"changeInfo": {"id": "/change/C" + c.r.chars(ID_CHARS, 20), "status": "PENDING",
                            "submittedAt": aws_date(c.t)}}), {}),
    ])
    + simple("sns.amazonaws.com", [
        ("ListSubscriptionsByTopic", True, 1, lambda c: (
            {"topicArn": f"arn:aws:sns:{c.region}:{c.acct}:security-alerts"}, None), {}),
        ("GetTopicAttributes", True, 1, lambda c: (
            {"topicArn": f"arn:aws:sns:{c.region}:{c.acct}:security-alerts"}, None), {}),
    ])
    + simple("access-analyzer.amazonaws.com", [
        ("ListAnalyzers", True, 1, _none, {}),
    ])
    + simple("health.amazonaws.com", [
        ("DescribeEventAggregates", True, 1, _req({"aggregateField": "eventTypeCategory"}),
         {"actors": {"auto": 1}}),
    ])
    + simple("tagging.amazonaws.com", [
        ("GetResources", True, 2, lambda c: ({"resourceTypeFilters": ["ec2:instance"]}, None), {}),
    ])
    + [Api("backup.amazonaws.com", "BackupJobCompleted", False, 0.3, _none, actors={"aws": 1},
           etype="AwsServiceEvent")]
)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

NOT_FOUND = {
    "iam": [("NoSuchEntity", "The {kind} with name {res} cannot be found."),
            ("NoSuchEntityException", "The {kind} with name {res} cannot be found."),
            ("EntityAlreadyExists", "{kind} with name {res} already exists."),
            ("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10"),
            ("MalformedPolicyDocument", "Syntax errors in policy.")],
    "s3": [("NoSuchBucketPolicy", "The bucket policy does not exist"),
           ("NoSuchBucket", "The specified bucket does not exist"),
           ("NoSuchTagSet", "The TagSet does not exist"),
           ("NoSuchCORSConfiguration", "The CORS configuration does not exist"),
           ("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
           ("ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
           ("NoSuchKey", "The specified key does not exist.")],
    "ec2": [("Client.InvalidPermission.Duplicate",
             "the specified rule \"peer: 0.0.0.0/0, TCP, from port: 443, to port: 443, ALLOW\" "
             "already exists"),
            ("Client.InvalidGroup.NotFound", "The security group '{res}' does not exist"),
            ("Client.DependencyViolation", "resource {res} has a dependent object"),
            ("Client.InvalidInstanceID.NotFound", "The instance ID '{res}' does not exist"),
            ("Client.RequestLimitExceeded", "Request limit exceeded."),
            ("Client.DryRunOperation",
             "Request would have succeeded, but DryRun flag is set.")],
    "kms": [("NotFoundException", "Key '{res}' does not exist"),
            ("KMSInvalidStateException", "{res} is pending deletion."),
            ("InvalidCiphertextException", None)],
    "lambda": [("ResourceNotFoundException", "Function not found: {res}"),
               ("ResourceConflictException", "The operation cannot be performed at this time.")],
    "logs": [("ResourceAlreadyExistsException", "The specified log group already exists"),
             ("ResourceNotFoundException", "The specified log group does not exist.")],
    "cloudtrail": [("TrailNotFoundException", "Unknown trail: {res} for the user: {acct}"),
                   ("InsightNotEnabledException",
                    "Trail {res} does not have Insights enabled.")],
    "config": [("NoSuchConfigurationRecorderException",
                "Cannot find configuration recorder with the specified name 'default'.")],
    "organizations": [("AWSOrganizationsNotInUseException",
                       "Your account is not a member of an organization."),
                      ("DuplicatePolicyException", "A policy with the same name already exists."),
                      ("ConcurrentModificationException",
                       "AWS Organizations can't complete your request because it conflicts with "
                       "another attempt to modify the same entity. Try again later.")],
    "sts": [("RegionDisabledException",
             "STS is not activated in this region for account:{acct}. Your account administrator "
             "can activate STS in this region using the IAM Console.")],
    "secretsmanager": [("ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret.")],
}
THROTTLE = ("ThrottlingException", "Rate exceeded")


def encoded_auth_message(rnd: Rand) -> str:
    return rnd.chars(B64[:62] + "-_", rnd.randint(300, 900))


def make_error(c, api, rec):
    """Pick errorCode/errorMessage fitting the service."""
    svc = api.svc_prefix
    action = f"{IAM_PREFIX.get(svc, svc)}:{re.sub(r'[0-9]{8}(v[0-9])?$', '', api.name)}"
    arn = c.p.arn()
    roll = c.r.random()
    if api.name in CLASSICLINK:
        return ("Client.UnsupportedOperation",
                "EC2-Classic networking has been retired. ClassicLink is no longer available.")
    if svc == "s3" and api.name == "HeadBucket" and roll < 0.6:
        return "AccessDenied", "Access Denied"
    if roll < 0.55:  # authorization failure
        if svc == "ec2":
            if c.r.chance(0.5):
                msg = "You are not authorized to perform this operation. Encoded authorization " \
                      f"failure message: {encoded_auth_message(c.r)}"
            else:
                msg = f"You are not authorized to perform this operation. User: {arn} is not " \
                      f"authorized to perform: {action} because no identity-based policy allows " \
                      f"the {action} action"
            return "Client.UnauthorizedOperation", msg
        code = "AccessDenied" if svc in ("iam", "sts", "s3", "cloudtrail") else "AccessDeniedException"
        if svc == "s3":
            return code, "Access Denied"
        why = c.r.choice(("no identity-based policy allows the {a} action",
                          "an explicit deny in a service control policy",
                          "an explicit deny in an identity-based policy",
                          "no resource-based policy allows the {a} action")).format(a=action)
        res = "*" if svc != "sts" else (rec.get("requestParameters") or {}).get("roleArn", "*")
        return code, f"User: {arn} is not authorized to perform: {action} on resource: {res} " \
                     f"because {why}"
    options = NOT_FOUND.get(svc)
    req = rec.get("requestParameters") or {}
    if svc == "iam":
        fits = [0, 1]  # NoSuchEntity, NoSuchEntityException
        if api.name.startswith("Create"):
            fits = [2]  # EntityAlreadyExists
        if api.name.startswith(("Attach", "Put")):
            fits.append(3)  # LimitExceeded
        if "policyDocument" in req:
            fits.append(4)  # MalformedPolicyDocument
        options = [options[i] for i in fits]
    if not options or roll > 0.93:
        return THROTTLE
    if svc == "s3":  # pick the code that fits the call
        fit = {"GetBucketPolicy": 0, "GetBucketTagging": 2, "DeleteBucketCors": 3,
               "DeleteBucketLifecycle": 4, "DeleteBucketReplication": 5, "GetObject": 6}
        code, msg = options[fit[api.name]] if api.name in fit else options[1]
    elif svc == "ec2":
        if api.name.startswith(("Authorize",)):
            code, msg = options[0]
        else:
            code, msg = c.r.choice(options[1:])
    else:
        code, msg = c.r.choice(options)
    res = next((v for k, v in req.items() if isinstance(v, str) and
                (k.endswith(("Name", "Id", "Arn")) or k in ("name", "secretId"))),
               "unknown")
    if res.startswith("arn:aws:iam:"):
        res = res.rsplit("/", 1)[-1]
    kind = "role" if "roleName" in req else "user" if "userName" in req else \
        "group" if "groupName" in req else "policy"
    if msg is None:
        return code, None
    return code, msg.format(res=res, acct=c.acct, kind=kind.capitalize() if
                            code == "EntityAlreadyExists" else kind)


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------

class Deck:
    """Deals items in reshuffled rounds, so every item appears once per len(items) draws."""

    def __init__(self, rnd: Rand, items):
        self.rnd, self.items, self.queue = rnd, list(items), []

    def draw(self):
        if not self.queue:
            self.queue = self.rnd.shuffled(self.items)
        return self.queue.pop()


class Stratified:
    """Marks a fraction f of positions: exactly one per stratum [k/f, (k+1)/f), at a random
    place inside it. The count after n positions is floor(n*f) or ceil(n*f)."""

    def __init__(self, rnd: Rand, f: float):
        self.rnd, self.f, self.k, self.pending = rnd, f, 0, 0
        self.next = (rnd.random() / f) if f > 0 else float("inf")

    def advance(self, i: int):
        while self.next < i + 1:
            self.pending += 1
            self.k += 1
            self.next = (self.k + self.rnd.random()) / self.f

    def take(self) -> bool:
        if self.pending:
            self.pending -= 1
            return True
        return False


def agent_string(p: Principal, api: Api, rnd: Rand) -> str:
    fam = p.agent
    svc = api.svc_prefix
    if fam == "svc":
        return p.invoked_by or "AWS Internal"
    if fam == "console":
        if svc == "s3":
            return "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.648 Linux/5.10.213-179.855.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard]"
        return rnd.choice(("AWS Internal", "console.amazonaws.com", "console.ec2.amazonaws.com"
                           if svc == "ec2" else "AWS Internal"))
    if fam == "cli":
        return (f"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 "
                f"exe/x86_64.amzn.2023 prompt/off command/{CLI_SERVICE.get(svc, svc)}."
                f"{_kebab(api.name)}")
    if fam in ("boto3", "boto3lambda"):
        env = " exec-env/AWS_Lambda_python3.12" if fam == "boto3lambda" else ""
        return ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 "
                f"md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython{env} cfg/retry-mode#legacy "
                "Botocore/1.34.69")
    if fam == "terraform":
        return ("APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) "
                "terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
                f"aws-sdk-go-v2/1.26.0 ua/2.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 "
                f"api/{CLI_SERVICE.get(svc, svc).replace('s3api', 's3')}#1.31.2")
    if fam == "go":
        return (f"aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 "
                f"api/{svc}#1.30.1")
    if fam == "gov1":
        return "aws-sdk-go/1.50.23 (go1.21.8; linux; amd64)"
    if fam == "java":
        return ("aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 "
                "OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. "
                "io/sync http/Apache cfg/retry-mode/legacy")
    if fam == "js":
        return (f"aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.209 lang/js md/nodejs#20.11.1 "
                f"api/{svc}#3.540.0")
    return "AWS Internal"


def host_header(api: Api, region: str, rec: dict) -> str:
    svc = api.svc_prefix
    if api.source in GLOBAL_SOURCES:
        return f"{svc}.amazonaws.com"
    if svc == "s3":
        rp = rec.get("requestParameters") or {}
        return rp.get("Host", "s3.amazonaws.com")
    return f"{svc}.{region}.amazonaws.com"


class Generator:
    def __init__(self, seed: int, iam_fraction: float, cis_fraction: float, error_rate: float,
                 start: int):
        self.rnd = Rand(seed)
        self.world = World(self.rnd)
        self.t = start
        self.error_rate = error_rate
        self.iam_sched = Stratified(self.rnd, iam_fraction)
        self.cis_sched = Stratified(self.rnd, cis_fraction)
        self.iam_deck = Deck(self.rnd, IAM_POLICY_CHANGE_EVENTS)
        self.cis_deck = Deck(self.rnd, [(s, n) for s, names in CIS_OTHER_EVENTS for n in names])
        self.general = (IAM_APIS + STS_APIS + S3_APIS + EC2_APIS + CT_APIS + KMS_APIS + CFG_APIS
                        + ORG_APIS + IOT_APIS + LAMBDA_APIS + LOGS_APIS + CW_APIS + OTHER_APIS)
        self.gweights = [a.weight for a in self.general]
        # special record kinds in the general mix (weights relative to the API pool total)
        total = sum(self.gweights)
        self.special = ("delivery_logs", "switch_role", "api")
        self.sweights = (total * 0.006, total * 0.003, total * 0.991)
        self.login_sched = Stratified(self.rnd, LOGIN_FRACTION)
        self.root_sched = Stratified(self.rnd, ROOT_FRACTION)
        # (who, MFAUsed, success): weighted by repetition, dealt so each variant recurs
        self.login_deck = Deck(self.rnd, [("iam", "Yes", True)] * 4 + [("iam", "No", True)] * 2
                               + [("iam", "No", False)] * 2 + [("sso", "No", True)] * 3
                               + [("root", "Yes", True), ("root", "No", True),
                                  ("root", "No", False)])
        self.root_deck = Deck(self.rnd, ["api", "api", "api", "invoked", "service_event"])
        self.cis_apis = {}
        for (src, name), b in CIS_BUILDERS.items():
            self.cis_apis[(src, name)] = Api(src, name, False, 0, b, actors={"human": 5, "auto": 5})
        self.iam_apis = {n: Api("iam.amazonaws.com", n, False, 0, b,
                                actors={"human": 5, "auto": 6})
                         for n, b in IAM_POLICY_APIS.items()}
        missing = {(s, n) for s, names in CIS_OTHER_EVENTS for n in names} - set(self.cis_apis)
        assert not missing, missing

    # -- helpers ------------------------------------------------------------------------
    def account(self):
        return self.rnd.wchoice(ACCOUNTS, ACCOUNT_WEIGHTS)

    def region_for(self, api: Api, acct: str):
        if api.source in GLOBAL_SOURCES or api.source == ORG:
            return GLOBAL_REGION
        return self.rnd.wchoice(REGIONS, REGION_WEIGHTS)

    def principal(self, w: dict, actors: dict, hosts=None):
        kinds = list(actors)
        kind = self.rnd.wchoice(kinds, [actors[k] for k in kinds])
        pool = w["principals"][kind]
        if hosts and kind in ("aws", "svc"):
            pool = [p for p in pool if p.invoked_by in hosts] or pool
        if kind == "human":
            roll = self.rnd.random()
            if roll < 0.04:
                pool = w["principals"]["fed"]
        return self.rnd.choice(pool)

    # -- main ---------------------------------------------------------------------------
    def next_record(self, i: int) -> dict:
        r = self.rnd
        self.t += 1 + int(r.r.expovariate(0.6))
        for sched in (self.iam_sched, self.cis_sched, self.login_sched, self.root_sched):
            sched.advance(i)
        if self.iam_sched.take():
            return self.api_record(self.iam_apis[self.iam_deck.draw()])
        if self.cis_sched.take():
            src, name = self.cis_deck.draw()
            acct = MGMT_ACCOUNT if src == ORG else None
            return self.api_record(self.cis_apis[(src, name)], acct=acct)
        if self.login_sched.take():
            return self.console_login()
        if self.root_sched.take():
            return self.root_usage()
        kind = r.wchoice(self.special, self.sweights)
        if kind == "api":
            api = r.wchoice(self.general, self.gweights)
            acct = MGMT_ACCOUNT if api.source == ORG else None
            return self.api_record(api, acct=acct)
        return getattr(self, kind)()

    def base(self, p: Principal, ident: dict, source: str, name: str, region: str,
             ip: str, agent: str) -> dict:
        return {"eventVersion": EVENT_VERSION.get(source, "1.08"), "userIdentity": ident,
                "eventTime": iso(self.t), "eventSource": source, "eventName": name,
                "awsRegion": region, "sourceIPAddress": ip, "userAgent": agent}

    def source_ip(self, p: Principal):
        if p.kind == "AWSService" or (p.invoked_by and p.kind == "AssumedRole"):
            return p.invoked_by
        if p.agent == "console" and self.rnd.chance(0.1):
            return "AWS Internal"
        if self.rnd.chance(0.03):
            return f"2001:db8:{self.rnd.chars(HEX, 4)}::{self.rnd.chars(HEX, 4)}"
        return self.rnd.choice(p.ips)

    def api_record(self, api: Api, acct=None, principal=None) -> dict:
        r = self.rnd
        acct = acct or self.account()
        w = self.world.by_account[acct]
        p = principal or self.principal(w, api.actors, api.hosts)
        region = self.region_for(api, acct)
        ctx = Ctx(self, acct, w, p, region, self.t)
        console = p.agent == "console" and p.kind in ("IAMUser", "AssumedRole", "Root")
        ident = p.identity(r, self.t, console_session=console)
        rec = self.base(p, ident, api.source, api.name, region, self.source_ip(p),
                        agent_string(p, api, r))
        req, resp = api.build(ctx)
        if api.etype == "AwsServiceEvent":
            rec["userIdentity"] = {"accountId": acct, "invokedBy": api.source}
            rec["sourceIPAddress"] = api.source
            rec["userAgent"] = api.source
        err = None
        rate = self.error_rate * api.err_boost
        if api.name in CLASSICLINK:
            rate = min(1.0, self.error_rate * 17.5)  # retired API: 70% at the default
        elif p.kind == "AWSService" or api.etype != "AwsApiCall":
            rate = 0.0
        if r.chance(rate):
            err = make_error(ctx, api, {"requestParameters": req})
        if err:
            rec["errorCode"] = err[0]
            if err[1] is not None:
                rec["errorMessage"] = err[1]
            resp = None
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        if "additionalEventData" in ctx.out:
            rec["additionalEventData"] = ctx.out["additionalEventData"]
        if api.svc_prefix == "s3":
            rec["requestID"] = r.chars("0123456789ABCDEF", 16)
        elif api.etype == "AwsServiceEvent" and api.source == KMS:
            rec["requestID"] = ctx.rid()
        elif api.etype == "AwsApiCall":
            rec["requestID"] = ctx.rid()
        rec["eventID"] = r.uuid()
        rec["readOnly"] = api.ro
        if "resources" in ctx.out:
            rec["resources"] = ctx.out["resources"]
        rec["eventType"] = api.etype
        if api.source in API_VERSION:
            rec["apiVersion"] = API_VERSION[api.source]
        rec["managementEvent"] = not api.data
        rec["recipientAccountId"] = acct
        if "sharedEventID" in ctx.out:
            rec["sharedEventID"] = ctx.out["sharedEventID"]
        if p.vpce and api.svc_prefix in ("s3", "kms", "secretsmanager", "ssm", "sts", "ecr") \
                and r.chance(0.7):
            rec["vpcEndpointId"] = p.vpce
        if api.etype == "AwsServiceEvent":
            if api.source == KMS:
                rec["serviceEventDetails"] = {"keyId": (ctx.out.get("resources") or [{}])[0]
                                              .get("ARN", "").rsplit("/", 1)[-1]}
            else:
                rec["serviceEventDetails"] = {
                    "backupJobId": r.uuid().upper(), "backupVaultName": "Default",
                    "resourceArn": f"arn:aws:ec2:{region}:{acct}:volume/{r.choice(w['volumes'])}",
                    "state": "COMPLETED", "backupSizeInBytes": r.randint(10**8, 10**11),
                    "iamRoleArn": f"arn:aws:iam::{acct}:role/service-role/"
                                  "AWSBackupDefaultServiceRole"}
        rec["eventCategory"] = "Data" if api.data else "Management"
        if api.etype == "AwsApiCall" and rec["sourceIPAddress"] not in ("AWS Internal",) \
                and not rec["sourceIPAddress"].endswith("amazonaws.com") and r.chance(0.9):
            tls13 = r.chance(0.6)
            rec["tlsDetails"] = {"tlsVersion": "TLSv1.3" if tls13 else "TLSv1.2",
                                 "cipherSuite": "TLS_AES_128_GCM_SHA256" if tls13
                                 else "ECDHE-RSA-AES128-GCM-SHA256",
                                 "clientProvidedHostHeader": host_header(api, region, rec)}
        if console and api.etype == "AwsApiCall":
            rec["sessionCredentialFromConsole"] = "true"
        return rec

    # -- special records ---------------------------------------------------------------
    def console_login(self) -> dict:
        r = self.rnd
        acct = self.account()
        w = self.world.by_account[acct]
        who, mfa, success = self.login_deck.draw()
        agent = r.choice(BROWSERS)
        if who == "root":
            p = w["principals"]["root"][0]
            ident = {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root",
                     "accountId": acct, "accessKeyId": ""}
        elif who == "sso":
            p = r.choice([x for x in w["principals"]["human"] if x.kind == "AssumedRole"])
            ident = p.identity(r, self.t)
        else:
            p = r.choice([x for x in w["principals"]["human"] if x.kind == "IAMUser"])
            if success:
                ident = {"type": "IAMUser", "principalId": p.principal_id, "arn": p.arn(),
                         "accountId": acct, "userName": p.name}
            elif r.chance(0.5):
                ident = {"type": "IAMUser", "principalId": p.principal_id, "arn": p.arn(),
                         "accountId": acct, "accessKeyId": "", "userName": p.name}
            else:
                ident = {"type": "IAMUser", "accountId": acct, "accessKeyId": "",
                         "userName": "HIDDEN_DUE_TO_SECURITY_REASONS"}
        rec = self.base(p, ident, "signin.amazonaws.com", "ConsoleLogin", GLOBAL_REGION,
                        r.choice(p.ips) if p.ips else r.ipv4_public(), agent)
        if not success:
            rec["errorMessage"] = "Failed authentication"
        rec["requestParameters"] = None
        rec["responseElements"] = {"ConsoleLogin": "Success" if success else "Failure"}
        extra = {"LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode="
                            "true&state=hashArgsFromTB_us-east-1_" + r.chars(HEX, 16),
                 "MobileVersion": "No", "MFAUsed": mfa}
        if who == "sso":
            extra = {"MobileVersion": "No", "MFAUsed": "No",
                     "SamlProviderArn": f"arn:aws:iam::{acct}:saml-provider/"
                                        f"AWSSSO_{r.chars(HEX, 16)}_DO_NOT_DELETE"}
        elif mfa == "Yes" and success:
            extra["MFAIdentifier"] = (f"arn:aws:iam::{acct}:mfa/root-account-mfa-device"
                                      if who == "root" else f"arn:aws:iam::{acct}:mfa/{p.name}")
        rec["additionalEventData"] = extra
        rec["eventID"] = r.uuid()
        rec["readOnly"] = False
        rec["eventType"] = "AwsConsoleSignIn"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = acct
        rec["eventCategory"] = "Management"
        return rec

    def switch_role(self) -> dict:
        r = self.rnd
        acct = self.account()
        w = self.world.by_account[acct]
        p = r.choice([x for x in w["principals"]["human"] if x.kind == "IAMUser"])
        rec = self.base(p, p.identity(r, self.t, console_session=True), "signin.amazonaws.com",
                        "SwitchRole", GLOBAL_REGION, r.choice(p.ips), r.choice(BROWSERS))
        role = r.choice(("OrganizationAccountAccessRole", "cross-account-readonly"))
        target = r.choice(ACCOUNTS)
        rec["requestParameters"] = None
        rec["responseElements"] = {"SwitchRole": "Success"}
        rec["additionalEventData"] = {"SwitchFrom": p.arn(),
                                      "RedirectTo": "https://console.aws.amazon.com/console/home"}
        rec["eventID"] = r.uuid()
        rec["readOnly"] = False
        rec["eventType"] = "AwsConsoleSignIn"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = target
        rec["eventCategory"] = "Management"
        rec["userIdentity"]["arn"] = f"arn:aws:sts::{target}:assumed-role/{role}/{p.name}"
        rec["userIdentity"]["type"] = "AssumedRole"
        rec["userIdentity"]["accountId"] = target
        rec["userIdentity"]["principalId"] = \
            f"{self.world.by_account[target]['roles'][role][1]}:{p.name}"
        rec["userIdentity"].pop("userName", None)
        rec["userIdentity"]["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                                 "attributes": {"creationDate": iso(self.t),
                                                                "mfaAuthenticated": "false"}}
        return rec

    def signin_service_event(self) -> dict:
        """Root sign-in challenge: userIdentity.type Root but eventType AwsServiceEvent."""
        r = self.rnd
        acct = self.account()
        p = self.world.by_account[acct]["principals"]["root"][0]
        name = r.choice(("CredentialChallenge", "CredentialVerification"))
        ident = {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root",
                 "accountId": acct, "accessKeyId": ""}
        rec = self.base(p, ident, "signin.amazonaws.com", name, GLOBAL_REGION, "AWS Internal",
                        r.choice(BROWSERS))
        rec["requestParameters"] = None
        rec["responseElements"] = None
        rec["additionalEventData"] = {"AuthWorkflowID": r.uuid(),
                                      "CredentialType": r.choice(("PASSWORD", "TOTP", "FIDO2"))}
        rec["requestID"] = r.uuid()
        rec["eventID"] = r.uuid()
        rec["readOnly"] = False
        rec["eventType"] = "AwsServiceEvent"
        rec["managementEvent"] = True
        rec["recipientAccountId"] = acct
        rec["eventCategory"] = "Management"
        rec["serviceEventDetails"] = {name: "Success" if r.chance(0.9) else "Failure"}
        return rec

    def root_usage(self) -> dict:
        """Root activity: plain API calls (what CIS root-usage alarms on), calls a service made
        on root's behalf (invokedBy set), and sign-in service events (AwsServiceEvent)."""
        variant = self.root_deck.draw()
        if variant == "service_event":
            return self.signin_service_event()
        r = self.rnd
        acct = self.account()
        p = self.world.by_account[acct]["principals"]["root"][0]
        api = r.choice([a for a in IAM_APIS + S3_APIS + EC2_APIS + CT_APIS if not a.data
                        and (a.ro or a.name in ("CreateAccessKey", "CreateUser"))])
        rec = self.api_record(api, acct=acct, principal=p)
        if variant == "invoked":
            host = r.choice(("support.amazonaws.com", "signin.amazonaws.com",
                             "access-analyzer.amazonaws.com"))
            rec["userIdentity"]["invokedBy"] = host
            rec["sourceIPAddress"] = host
            rec["userAgent"] = host
            rec.pop("tlsDetails", None)
        return rec

    def delivery_logs(self) -> dict:
        """CloudWatch Logs delivery checking a log bucket; often AccessDenied (CIS 4.1 exclusion)."""
        r = self.rnd
        acct = self.account()
        w = self.world.by_account[acct]
        p = next(x for x in w["principals"]["aws"] if x.invoked_by == "delivery.logs.amazonaws.com")
        name = r.choice(("GetBucketAcl", "PutObject", "GetBucketPolicy"))
        api = next(a for a in S3_APIS if a.name == name)
        rec = self.api_record(api, acct=acct, principal=p)
        rec["sourceIPAddress"] = "delivery.logs.amazonaws.com"
        rec["userAgent"] = "delivery.logs.amazonaws.com"
        if r.chance(min(1.0, self.error_rate * 12.5)) and "errorCode" not in rec:
            # keep the documented field order: errorCode/errorMessage before requestParameters
            items = list(rec.items())
            idx = [k for k, _ in items].index("requestParameters")
            items[idx:idx] = [("errorCode", "AccessDenied"), ("errorMessage", "Access Denied")]
            rec = dict(items)
            rec["responseElements"] = None
        return rec


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

def dumps(rec: dict) -> str:
    return json.dumps(rec, separators=(",", ":"))


def generate(args, out) -> tuple[int, int]:
    """Write records to the binary stream out; return (records, uncompressed bytes)."""
    gen = Generator(args.seed, args.iam_fraction, args.cis_fraction, args.error_rate,
                    calendar.timegm(time.strptime(args.start, "%Y-%m-%dT%H:%M:%SZ")))
    limit_bytes = int(args.size_mb * MB) if args.size_mb is not None else None
    limit_records = args.records if limit_bytes is None else None
    records_fmt = args.format == "records"
    head, sep, tail = ('{"Records":[', ",", "]}\n") if records_fmt else ("", "", "")
    line_end = "" if records_fmt else "\n"

    buf, buf_len, total, n = [], 0, 0, 0

    def flush():
        nonlocal buf, buf_len
        if buf:
            out.write("".join(buf).encode("ascii"))
            buf, buf_len = [], 0

    buf.append(head)
    total += len(head)
    while True:
        if limit_records is not None and n >= limit_records:
            break
        text = dumps(gen.next_record(n)) + line_end
        piece = (sep if n and records_fmt else "") + text
        if limit_bytes is not None and total + len(piece) + len(tail) > limit_bytes:
            break
        buf.append(piece)
        buf_len += len(piece)
        total += len(piece)
        n += 1
        if buf_len >= 1 << 18:
            flush()
    buf.append(tail)
    total += len(tail)
    flush()
    return n, total


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        prog="gen_cloudtrail.py",
        description=__doc__.split("\n\n")[0] + " See the module docstring for guarantees.",
        epilog="Examples:\n"
               "  %(prog)s --records 500 --seed 1 > corpus/cloudtrail_sample.ndjson\n"
               "  %(prog)s --records 200 --seed 2 --format records -o corpus/cloudtrail_sample.json\n"
               "  %(prog)s --size-mb 1000 --gzip -o /tmp/trail-1g.ndjson.gz\n",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--records", "-n", type=int, default=1000, metavar="N",
                      help="number of records to write (default 1000)")
    size.add_argument("--size-mb", type=float, metavar="M",
                      help="instead of --records: write records while the JSON output stays "
                           "within M*1,000,000 bytes (counted before --gzip), streaming")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1); same seed, "
                    "same output")
    ap.add_argument("--format", choices=("ndjson", "records"), default="ndjson",
                    help="ndjson: one record per line (default); records: a CloudTrail log "
                         'file {"Records":[...]}')
    ap.add_argument("--gzip", action="store_true", help="gzip the output (deterministic header)")
    ap.add_argument("--output", "-o", metavar="PATH", default="-",
                    help="output file (default: standard output)")
    ap.add_argument("--iam-fraction", type=float, default=0.05, metavar="F",
                    help="fraction of records that are IAM policy-change events, one of the 19 "
                         "eventNames (default 0.05)")
    ap.add_argument("--cis-fraction", type=float, default=0.16, metavar="C",
                    help="fraction of records that are the other CIS-monitored changes "
                         "(CloudTrail, KMS, S3 bucket policy, Config, network, Organizations; "
                         "default 0.16)")
    ap.add_argument("--error-rate", type=float, default=0.04, metavar="E",
                    help="base probability that an API call fails with errorCode/errorMessage; "
                         "some calls fail more often (HeadBucket, GetBucketPolicy, retired "
                         "ClassicLink calls). The default 0.04 gives about 5%% of records with "
                         "an errorCode; 0 gives none (failed ConsoleLogins, which carry only "
                         "errorMessage, still occur)")
    ap.add_argument("--start", default=START_TIME, metavar="TIME",
                    help=f"eventTime of the first record is just after this (default {START_TIME})")
    ap.add_argument("--quiet", "-q", action="store_true",
                    help="do not print the record count to standard error")
    args = ap.parse_args(argv)
    if args.records < 0:
        ap.error("--records must be >= 0")
    if args.size_mb is not None and args.size_mb <= 0:
        ap.error("--size-mb must be > 0")
    for name in ("iam_fraction", "cis_fraction", "error_rate"):
        v = getattr(args, name)
        if not 0.0 <= v <= 1.0:
            ap.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    if args.iam_fraction + args.cis_fraction > 1.0:
        ap.error("--iam-fraction + --cis-fraction must be <= 1")
    try:
        time.strptime(args.start, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        ap.error("--start must look like 2024-06-03T00:00:00Z")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    to_stdout = args.output == "-"
    raw = sys.stdout.buffer if to_stdout else open(args.output, "wb")
    out = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) \
        if args.gzip else raw
    try:
        n, total = generate(args, out)
        if args.gzip:
            out.close()
        raw.flush()
    except BrokenPipeError:
        # downstream closed early (e.g. piped into head): not an error
        try:
            sys.stdout = None  # silence the interpreter's flush at exit
        finally:
            return 0
    finally:
        if not to_stdout:
            raw.close()
    if not args.quiet:
        print(f"gen_cloudtrail: wrote {n} records, {total} bytes of JSON"
              f"{' (before gzip)' if args.gzip else ''}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
