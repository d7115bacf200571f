#!/usr/bin/env python3
"""Generate data/cloudtrail_events.tsv: every CloudTrail (eventSource, eventName) pair of the
AWS APIs, from botocore's service models.

Usage:
  python3 scripts/gen_event_sources.py > data/cloudtrail_events.tsv
  python3 scripts/gen_event_sources.py -o data/cloudtrail_events.tsv   # written only if checks pass
  python3 scripts/gen_event_sources.py --date 2026-01-01 ...            # fix the date in the header

Needs Python 3.8+ and the `botocore` package (`pip install botocore`); nothing else.

How a row is made:
  * For each directory data/<service>/ of the installed botocore, the newest <api-version>/
    holding a service-2.json (or .json.gz, as recent botocore ships them) is read.
  * Every operation of that model becomes a row:
        event_source  <endpointPrefix>.amazonaws.com, unless EVENT_SOURCE_EXCEPTIONS says
                      otherwise for that service;
        event_name    the operation name (the key in the model's "operations", which is what
                      CloudTrail logs: CloudFront, whose wire names carry a version suffix such
                      as UpdateDistribution2020_05_31, is logged as UpdateDistribution), unless
                      EVENT_NAME_OVERRIDES renames it (Lambda);
        service       the model's metadata.serviceId.
  * EXTRA_EVENTS adds events that CloudTrail logs but no botocore operation describes
    (console sign-in, S3's Block Public Access names).
  * Rows are deduplicated on (event_source, event_name); when several botocore services give
    the same pair (elb/elbv2, rds/docdb/neptune, ses/sesv2, ...) their serviceIds are joined
    with ','. Rows are sorted by (event_source, event_name).

Before anything is written the script checks the table (see check_table): the 19 IAM
policy-change eventNames are iam.amazonaws.com events, CreatePolicy also exists under
organizations.amazonaws.com and iot.amazonaws.com, and every eventName of every control in the
CIS catalogue (shared/spec/cis_controls.json, found beside the repository or given with
--spec) is present with the control's eventSource. A failed check prints the problem to stderr,
writes nothing and exits 1.
"""
import argparse
import datetime
import gzip
import json
import os
import re
import sys

import botocore

# ---------------------------------------------------------------------------------------------
# eventSource exceptions: botocore service directory -> (eventSource, reason).
#
# By default a service's CloudTrail eventSource is "<metadata.endpointPrefix>.amazonaws.com",
# which is right for the great majority (iam, sts, ec2, kms, config, cloudtrail, organizations,
# logs, lambda, s3, events, monitoring for CloudWatch, es for OpenSearch, elasticloadbalancing
# for ELB and ELBv2, rds for RDS/Neptune/DocumentDB management, sso for IAM Identity Center
# administration (sso-admin), identitystore, ...: no entry needed). An entry is needed where the
# endpoint host prefix is not the name CloudTrail uses: typically a data-plane or "api."/"runtime."
# host of a service that logs under the service's own name (usually its SigV4 signingName).
#
# Evidence for each entry: CloudTrail records published in AWS documentation and
# samples, the EventBridge event reference (docs.aws.amazon.com/eventbridge/latest/ref/,
# "events delivered via AWS CloudTrail": `eventSource` per service), or, where marked
# "(by convention)", the model's signingName plus the same host-naming pattern verified for
# sibling services. Services whose endpointPrefix is wrong but for which no evidence was found
# are left at the default and listed in data/README.md ("Not verified").
# ---------------------------------------------------------------------------------------------
EVENT_SOURCE_EXCEPTIONS = {
    # --- S3 -----------------------------------------------------------------------------
    "s3control": ("s3.amazonaws.com",
                  "S3 Control API (endpoint s3-control, signingName s3: access points, Batch "
                  "Operations jobs, account Block Public Access, Storage Lens...) is logged by "
                  "CloudTrail as s3.amazonaws.com"),
    # --- SES family (endpoint host 'email') ---------------------------------------------
    "ses": ("ses.amazonaws.com", "endpointPrefix is 'email'; SES logs as ses.amazonaws.com"),
    "sesv2": ("ses.amazonaws.com", "endpointPrefix is 'email'; SES v2 logs as ses.amazonaws.com"),
    "pinpoint-email": ("ses.amazonaws.com",
                       "Pinpoint Email API is served by the SES 'email' endpoint with "
                       "signingName ses, the same front end as SES v2"),
    # --- IAM Identity Center (SSO) ------------------------------------------------------
    "sso": ("sso.amazonaws.com",
            "access portal API (host portal.sso, e.g. GetRoleCredentials) is logged as "
            "sso.amazonaws.com"),
    "sso-oidc": ("sso-oauth.amazonaws.com",
                 "OIDC API (host oidc, signingName sso-oauth: CreateToken, CreateTokenWithIAM, "
                 "RegisterClient) is logged as sso-oauth.amazonaws.com"),
    # --- DynamoDB -----------------------------------------------------------------------
    "dynamodbstreams": ("dynamodb.amazonaws.com",
                        "DynamoDB Streams (host streams.dynamodb: DescribeStream, GetRecords, "
                        "...) is logged as dynamodb.amazonaws.com"),
    # --- 'api.' hosts -------------------------------------------------------------------
    "ecr": ("ecr.amazonaws.com", "host api.ecr; ECR logs as ecr.amazonaws.com"),
    "ecr-public": ("ecr-public.amazonaws.com",
                   "host api.ecr-public; signingName ecr-public (by convention, as ecr)"),
    "detective": ("detective.amazonaws.com", "host api.detective; signingName detective"),
    "sagemaker": ("sagemaker.amazonaws.com", "host api.sagemaker; SageMaker logs as sagemaker.amazonaws.com"),
    "iotdeviceadvisor": ("iotdeviceadvisor.amazonaws.com",
                         "host api.iotdeviceadvisor; EventBridge reference gives "
                         "iotdeviceadvisor.amazonaws.com"),
    "iotwireless": ("iotwireless.amazonaws.com",
                    "host api.iotwireless; signingName iotwireless (by convention, as "
                    "api.iotdeviceadvisor)"),
    "iot-managed-integrations": ("iotmanagedintegrations.amazonaws.com",
                                 "host api.iotmanagedintegrations; signingName "
                                 "iotmanagedintegrations (by convention)"),
    "mediatailor": ("mediatailor.amazonaws.com", "host api.mediatailor; signingName mediatailor (by convention)"),
    "pricing": ("pricing.amazonaws.com", "host api.pricing; signingName pricing (by convention)"),
    "iotsecuretunneling": ("iotsecuredtunneling.amazonaws.com",
                           "host api.tunneling.iot; signingName IoTSecuredTunneling; EventBridge "
                           "reference gives iotsecuredtunneling.amazonaws.com"),
    # --- SageMaker data planes (signingName sagemaker) ----------------------------------
    "sagemaker-runtime": ("sagemaker.amazonaws.com",
                          "host runtime.sagemaker; InvokeEndpoint is logged as "
                          "sagemaker.amazonaws.com"),
    "sagemaker-featurestore-runtime": ("sagemaker.amazonaws.com",
                                       "host featurestore-runtime.sagemaker; PutRecord is "
                                       "logged as sagemaker.amazonaws.com"),
    "sagemaker-a2i-runtime": ("sagemaker.amazonaws.com",
                              "host a2i-runtime.sagemaker; signingName sagemaker (by "
                              "convention, as runtime/featurestore-runtime)"),
    "sagemaker-edge": ("sagemaker.amazonaws.com",
                       "host edge.sagemaker; signingName sagemaker (by convention)"),
    "sagemaker-metrics": ("sagemaker.amazonaws.com",
                          "host metrics.sagemaker; signingName sagemaker (by convention)"),
    # --- Bedrock (signingName bedrock / bedrock-agentcore) ------------------------------
    "bedrock-runtime": ("bedrock.amazonaws.com",
                        "InvokeModel/Converse (host bedrock-runtime) are logged as "
                        "bedrock.amazonaws.com"),
    "bedrock-agent": ("bedrock.amazonaws.com",
                      "signingName bedrock; EventBridge reference has one source, "
                      "bedrock.amazonaws.com, for Amazon Bedrock"),
    "bedrock-agent-runtime": ("bedrock.amazonaws.com", "signingName bedrock; as bedrock-agent"),
    "bedrock-data-automation": ("bedrock.amazonaws.com", "signingName bedrock; as bedrock-agent"),
    "bedrock-data-automation-runtime": ("bedrock.amazonaws.com", "signingName bedrock; as bedrock-agent"),
    "bedrock-agentcore-control": ("bedrock-agentcore.amazonaws.com",
                                  "control plane (host bedrock-agentcore-control, signingName "
                                  "bedrock-agentcore; CreateAgentRuntime...) is logged as "
                                  "bedrock-agentcore.amazonaws.com"),
    # --- Chime SDK (signingName chime) --------------------------------------------------
    "chime-sdk-identity": ("chime.amazonaws.com",
                           "host identity-chime; Chime SDK events (e.g. "
                           "ExpireAppInstanceUser) are logged as chime.amazonaws.com"),
    "chime-sdk-media-pipelines": ("chime.amazonaws.com", "host media-pipelines-chime; signingName chime"),
    "chime-sdk-meetings": ("chime.amazonaws.com", "host meetings-chime; signingName chime"),
    "chime-sdk-messaging": ("chime.amazonaws.com", "host messaging-chime; signingName chime"),
    "chime-sdk-voice": ("chime.amazonaws.com", "host voice-chime; signingName chime"),
    # --- Lex (signingName lex) ----------------------------------------------------------
    "lex-models": ("lex.amazonaws.com", "host models.lex; Lex logs as lex.amazonaws.com"),
    "lex-runtime": ("lex.amazonaws.com", "host runtime.lex; signingName lex"),
    "lexv2-models": ("lex.amazonaws.com", "host models-v2-lex; signingName lex"),
    "lexv2-runtime": ("lex.amazonaws.com", "host runtime-v2-lex; signingName lex"),
    # --- Timestream (signingName timestream) --------------------------------------------
    "timestream-query": ("timestream.amazonaws.com",
                         "host query.timestream; Timestream logs as timestream.amazonaws.com"),
    "timestream-write": ("timestream.amazonaws.com", "host ingest.timestream; signingName timestream"),
    # --- Marketplace --------------------------------------------------------------------
    "meteringmarketplace": ("metering-marketplace.amazonaws.com",
                            "host metering.marketplace; MeterUsage/BatchMeterUsage are logged "
                            "as metering-marketplace.amazonaws.com"),
    "marketplace-catalog": ("marketplacecatalog.amazonaws.com",
                            "host catalog.marketplace; EventBridge reference gives "
                            "marketplacecatalog.amazonaws.com"),
    # --- Other hosts that differ from the logged name -----------------------------------
    "rds-data": ("rdsdata.amazonaws.com",
                 "RDS Data API (host rds-data) is logged as rdsdata.amazonaws.com"),
    "memorydb": ("memorydb.amazonaws.com",
                 "host memory-db; MemoryDB logs as memorydb.amazonaws.com"),
    "appconfigdata": ("appconfig.amazonaws.com",
                      "AppConfig data plane (StartConfigurationSession...) is logged as "
                      "appconfig.amazonaws.com"),
    "appstream": ("appstream.amazonaws.com",
                  "host appstream2; EventBridge reference gives appstream.amazonaws.com"),
    "cloudhsmv2": ("cloudhsm.amazonaws.com",
                   "host cloudhsmv2; CloudHSM v2 (CreateHsm...) is logged as "
                   "cloudhsm.amazonaws.com"),
    "payment-cryptography": ("payment-cryptography.amazonaws.com",
                             "host controlplane.payment-cryptography; EventBridge reference "
                             "gives payment-cryptography.amazonaws.com"),
    "payment-cryptography-data": ("payment-cryptography.amazonaws.com",
                                  "host dataplane.payment-cryptography; signingName "
                                  "payment-cryptography"),
    "pinpoint-sms-voice": ("sms-voice.amazonaws.com",
                           "host sms-voice.pinpoint; EventBridge reference gives "
                           "sms-voice.amazonaws.com"),
    "sms-voice": ("sms-voice.amazonaws.com", "same model as pinpoint-sms-voice (host sms-voice.pinpoint)"),
    "mediastore-data": ("mediastore.amazonaws.com",
                        "host data.mediastore; signingName mediastore; EventBridge reference "
                        "gives mediastore.amazonaws.com"),
    "qapps": ("qapps.amazonaws.com", "host data.qapps; EventBridge reference gives qapps.amazonaws.com"),
    "wickr": ("wickr.amazonaws.com", "host admin.wickr; EventBridge reference gives wickr.amazonaws.com"),
    "forecastquery": ("forecast.amazonaws.com",
                      "signingName forecast; EventBridge reference gives forecast.amazonaws.com "
                      "for Amazon Forecast"),
    "personalize-events": ("personalize.amazonaws.com",
                           "signingName personalize (by convention; Personalize logs as "
                           "personalize.amazonaws.com)"),
    "personalize-runtime": ("personalize.amazonaws.com", "signingName personalize (by convention)"),
    "ivs-realtime": ("ivs.amazonaws.com",
                     "host ivsrealtime; signingName ivs; EventBridge reference gives "
                     "ivs.amazonaws.com for IVS"),
    "keyspacesstreams": ("cassandra.amazonaws.com",
                         "host cassandra-streams; signingName cassandra (Keyspaces logs as "
                         "cassandra.amazonaws.com)"),
    "signer-data": ("signer.amazonaws.com", "host data-signer; signingName signer (by convention)"),
    "connect-contact-lens": ("connect.amazonaws.com",
                             "host contact-lens; signingName connect (Contact Lens is part of "
                             "Amazon Connect; by convention)"),
}

# ---------------------------------------------------------------------------------------------
# eventName overrides: (botocore service directory, operation) -> (CloudTrail eventName, reason).
#
# Lambda logs its management events under the service's internal, API-version-suffixed
# operation names (CreateFunction20150331, UpdateFunctionCode20150331v2, ...), not the public
# names botocore uses. The suffix is the date in the operation's URI plus, for operations that
# were revised in place, "v2". These names are as they appear in published CloudTrail records
# and detection rules; operations introduced later (code signing, function URLs, event-invoke
# config, provisioned concurrency, GetFunctionConcurrency, recursion and runtime-management
# config, capacity providers, durable executions...) and the Invoke data events are logged
# under their plain names, so they are not listed here.
# ---------------------------------------------------------------------------------------------
_LAMBDA_REASON = "Lambda logs this operation under its API-version-suffixed internal name"
_LAMBDA_NAMES = {
    "AddLayerVersionPermission": "AddLayerVersionPermission20181031",
    "AddPermission": "AddPermission20150331v2",
    "CreateAlias": "CreateAlias20150331",
    "CreateEventSourceMapping": "CreateEventSourceMapping20150331",
    "CreateFunction": "CreateFunction20150331",
    "DeleteAlias": "DeleteAlias20150331",
    "DeleteEventSourceMapping": "DeleteEventSourceMapping20150331",
    "DeleteFunction": "DeleteFunction20150331",
    "DeleteFunctionConcurrency": "DeleteFunctionConcurrency20171031",
    "DeleteLayerVersion": "DeleteLayerVersion20181031",
    "GetAccountSettings": "GetAccountSettings20160819",
    "GetAlias": "GetAlias20150331",
    "GetEventSourceMapping": "GetEventSourceMapping20150331",
    "GetFunction": "GetFunction20150331v2",
    "GetFunctionConfiguration": "GetFunctionConfiguration20150331v2",
    "GetLayerVersion": "GetLayerVersion20181031",
    "GetLayerVersionByArn": "GetLayerVersionByArn20181031",
    "GetLayerVersionPolicy": "GetLayerVersionPolicy20181031",
    "GetPolicy": "GetPolicy20150331v2",
    "ListAliases": "ListAliases20150331",
    "ListEventSourceMappings": "ListEventSourceMappings20150331",
    "ListFunctions": "ListFunctions20150331",
    "ListLayerVersions": "ListLayerVersions20181031",
    "ListLayers": "ListLayers20181031",
    "ListTags": "ListTags20170331",
    "ListVersionsByFunction": "ListVersionsByFunction20150331",
    "PublishLayerVersion": "PublishLayerVersion20181031",
    "PublishVersion": "PublishVersion20150331",
    "PutFunctionConcurrency": "PutFunctionConcurrency20171031",
    "RemoveLayerVersionPermission": "RemoveLayerVersionPermission20181031",
    "RemovePermission": "RemovePermission20150331v2",
    "TagResource": "TagResource20170331v2",
    "UntagResource": "UntagResource20170331v2",
    "UpdateAlias": "UpdateAlias20150331",
    "UpdateEventSourceMapping": "UpdateEventSourceMapping20150331",
    "UpdateFunctionCode": "UpdateFunctionCode20150331v2",
    "UpdateFunctionConfiguration": "UpdateFunctionConfiguration20150331v2",
}
EVENT_NAME_OVERRIDES = {("lambda", op): (name, _LAMBDA_REASON) for op, name in _LAMBDA_NAMES.items()}

# ---------------------------------------------------------------------------------------------
# Extra events: (eventSource, eventName, service label, reason), logged by CloudTrail but not an
# operation of any botocore model. They are added as well as (never instead of) the model rows.
# ---------------------------------------------------------------------------------------------
_SIGNIN = "AWS console sign-in event (signin.amazonaws.com); not an API in botocore"
EXTRA_EVENTS = [
    ("signin.amazonaws.com", "ConsoleLogin", "Signin",
     _SIGNIN + ": console sign-in of a root, IAM or federated user (CIS console-sign-in controls)"),
    ("signin.amazonaws.com", "CheckMfa", "Signin", _SIGNIN + ": MFA check during console sign-in"),
    ("signin.amazonaws.com", "SwitchRole", "Signin", _SIGNIN + ": console role switch"),
    ("signin.amazonaws.com", "ExitRole", "Signin", _SIGNIN + ": leaving a switched role in the console"),
    ("signin.amazonaws.com", "RenewRole", "Signin", _SIGNIN + ": console renewal of a switched-role session"),
    ("signin.amazonaws.com", "CredentialChallenge", "Signin",
     _SIGNIN + ": sign-in service event (AwsServiceEvent) when a credential is requested"),
    ("signin.amazonaws.com", "CredentialVerification", "Signin",
     _SIGNIN + ": sign-in service event (AwsServiceEvent) when a credential is verified"),
    # S3 Block Public Access: the bucket-level API operations (Get/Put/DeletePublicAccessBlock)
    # are logged as *BucketPublicAccessBlock, the account-level ones (S3 Control) as
    # *AccountPublicAccessBlock. botocore's names are kept as well.
    ("s3.amazonaws.com", "GetBucketPublicAccessBlock", "S3", "CloudTrail name of S3 GetPublicAccessBlock (bucket)"),
    ("s3.amazonaws.com", "PutBucketPublicAccessBlock", "S3", "CloudTrail name of S3 PutPublicAccessBlock (bucket)"),
    ("s3.amazonaws.com", "DeleteBucketPublicAccessBlock", "S3", "CloudTrail name of S3 DeletePublicAccessBlock (bucket)"),
    ("s3.amazonaws.com", "GetAccountPublicAccessBlock", "S3 Control",
     "CloudTrail name of S3 Control GetPublicAccessBlock (account)"),
    ("s3.amazonaws.com", "PutAccountPublicAccessBlock", "S3 Control",
     "CloudTrail name of S3 Control PutPublicAccessBlock (account)"),
    ("s3.amazonaws.com", "DeleteAccountPublicAccessBlock", "S3 Control",
     "CloudTrail name of S3 Control DeletePublicAccessBlock (account)"),
]

# The 19 IAM policy-change eventNames (the 16 of CIS plus CloudGuard D9.AWS.MON.04's three).
IAM19 = [
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
    "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion",
    "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy",
    "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy", "SetDefaultPolicyVersion",
    "AddUserToGroup", "UpdateAssumeRolePolicy",
]

COMMAND = "python3 scripts/gen_event_sources.py > data/cloudtrail_events.tsv"
HEADER = ("event_source", "event_name", "service")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SOURCE_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com$")


def load_json(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def model_path(version_dir):
    for name in ("service-2.json", "service-2.json.gz"):
        path = os.path.join(version_dir, name)
        if os.path.isfile(path):
            return path
    return None


def newest_models(data_dir):
    """(service directory name, path of its newest service-2 model) for every service."""
    out = []
    for service in sorted(os.listdir(data_dir)):
        sdir = os.path.join(data_dir, service)
        if not os.path.isdir(sdir):
            continue
        # api-version directories are ISO dates (YYYY-MM-DD), so they sort as strings.
        versions = sorted((v for v in os.listdir(sdir) if model_path(os.path.join(sdir, v))), reverse=True)
        if versions:
            out.append((service, model_path(os.path.join(sdir, versions[0]))))
    return out


def build(data_dir):
    """The table as {(source, name): set(service ids)}, plus what was applied."""
    pairs = {}
    applied_sources, applied_names = {}, {}
    services = 0
    operations = 0
    for service, path in newest_models(data_dir):
        model = load_json(path)
        meta = model.get("metadata", {})
        service_id = meta.get("serviceId") or service
        prefix = meta.get("endpointPrefix")
        if service in EVENT_SOURCE_EXCEPTIONS:
            source = EVENT_SOURCE_EXCEPTIONS[service][0]
            applied_sources[service] = (prefix, source)
        elif prefix:
            source = prefix + ".amazonaws.com"
        else:
            raise SystemExit(f"{path}: no metadata.endpointPrefix and no exception for {service!r}")
        services += 1
        for op in model.get("operations", {}):
            operations += 1
            name = op
            if (service, op) in EVENT_NAME_OVERRIDES:
                name = EVENT_NAME_OVERRIDES[(service, op)][0]
                applied_names[(service, op)] = name
            pairs.setdefault((source, name), set()).add(service_id)
    for source, name, label, _reason in EXTRA_EVENTS:
        pairs.setdefault((source, name), set()).add(label)
    return pairs, services, operations, applied_sources, applied_names


def check_table(pairs, spec_path):
    """Problems with the table (an empty list when all is well) and the checks run."""
    problems, checks = [], []
    by_name = {}
    for source, name in pairs:
        by_name.setdefault(name, set()).add(source)
        if not SOURCE_RE.match(source):
            problems.append(f"bad eventSource {source!r} (for {name})")
        if not NAME_RE.match(name):
            problems.append(f"bad eventName {name!r} (under {source})")
    checks.append(f"every eventSource matches {SOURCE_RE.pattern} and every eventName {NAME_RE.pattern}")

    for name in IAM19:
        if "iam.amazonaws.com" not in by_name.get(name, ()):
            problems.append(f"IAM policy-change event {name} is not under iam.amazonaws.com")
    checks.append("the 19 IAM policy-change eventNames (16 CIS + SetDefaultPolicyVersion, "
                  "AddUserToGroup, UpdateAssumeRolePolicy) are iam.amazonaws.com events")

    for source in ("iam.amazonaws.com", "organizations.amazonaws.com", "iot.amazonaws.com"):
        if source not in by_name.get("CreatePolicy", ()):
            problems.append(f"CreatePolicy is not under {source}")
    checks.append("CreatePolicy exists under iam, organizations and iot")

    for name in ("ConsoleLogin",):
        if "signin.amazonaws.com" not in by_name.get(name, ()):
            problems.append(f"{name} is not under signin.amazonaws.com")

    if spec_path:
        with open(spec_path, encoding="utf-8") as f:
            controls = json.load(f)
        n = 0
        for control in controls:
            sources = [s for s in control.get("event_sources", []) if SOURCE_RE.match(s)]
            for name in control.get("event_names", []):
                for source in sources:
                    n += 1
                    if (source, name) not in pairs:
                        problems.append(f"CIS control {control['id']}: ({source}, {name}) missing")
        checks.append(f"all {n} (eventSource, eventName) pairs of the CIS controls in "
                      f"{os.path.basename(spec_path)} are present")
    else:
        checks.append("CIS catalogue not found: CIS pairs not checked")

    return problems, checks


def default_spec():
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "..", "..", "shared", "spec", "cis_controls.json"),
                      os.path.join(here, "..", "shared", "spec", "cis_controls.json")):
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
    return None


def generation_date(arg):
    if arg:
        return arg
    if os.environ.get("SOURCE_DATE_EPOCH"):
        ts = int(os.environ["SOURCE_DATE_EPOCH"])
        return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).date().isoformat()
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def render(pairs, services, operations, applied_sources, applied_names, date, checks):
    lines = [
        "# cloudtrail_events.tsv: every CloudTrail (eventSource, eventName) pair of the AWS APIs,",
        "# from botocore's service models. Generated: do not edit by hand.",
        "# generator: scripts/gen_event_sources.py",
        f"# command: {COMMAND}",
        f"# botocore: {botocore.__version__}",
        f"# generated: {date}",
        f"# services: {services} (newest api-version of each botocore data/<service>/)",
        f"# operations: {operations}",
        f"# pairs: {len(pairs)} (rows below, unique on (event_source, event_name))",
        "# event_source is <metadata.endpointPrefix>.amazonaws.com except for the services below;",
        "# event_name is the operation name except for the overrides below; service is the",
        "# model's metadata.serviceId (several joined by ',' when services share a pair).",
        f"# eventSource exceptions applied ({len(applied_sources)}; botocore service: endpointPrefix -> eventSource: reason):",
    ]
    for service in sorted(applied_sources):
        prefix, source = applied_sources[service]
        lines.append(f"#   {service}: {prefix} -> {source}: {EVENT_SOURCE_EXCEPTIONS[service][1]}")
    lines.append(f"# eventName overrides applied ({len(applied_names)}; {_LAMBDA_REASON}):")
    for (service, op), name in sorted(applied_names.items()):
        lines.append(f"#   {service} {op} -> {name}")
    lines.append(f"# extra CloudTrail-only events ({len(EXTRA_EVENTS)}):")
    for source, name, _label, reason in EXTRA_EVENTS:
        lines.append(f"#   {source} {name}: {reason}")
    lines.append("# checks passed:")
    for c in checks:
        lines.append(f"#   {c}")
    lines.append("\t".join(HEADER))
    for (source, name) in sorted(pairs):
        lines.append(f"{source}\t{name}\t{','.join(sorted(pairs[(source, name)]))}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", help="write here (only when the checks pass) instead of stdout")
    parser.add_argument("--data-dir", default=os.path.join(os.path.dirname(botocore.__file__), "data"),
                        help="botocore data directory (default: the installed botocore's)")
    parser.add_argument("--spec", default=None,
                        help="CIS catalogue cis_controls.json to check against "
                             "(default: shared/spec/cis_controls.json beside the repository, if present)")
    parser.add_argument("--date", help="generation date for the header (default: $SOURCE_DATE_EPOCH or today, UTC)")
    args = parser.parse_args(argv)

    pairs, services, operations, applied_sources, applied_names = build(args.data_dir)
    for service in sorted(set(EVENT_SOURCE_EXCEPTIONS) - set(applied_sources)):
        print(f"note: exception for {service!r} not applied: botocore has no such service", file=sys.stderr)
    for key in sorted(set(EVENT_NAME_OVERRIDES) - set(applied_names)):
        print(f"note: override for {key[0]} {key[1]} not applied: no such operation", file=sys.stderr)

    spec = args.spec or default_spec()
    problems, checks = check_table(pairs, spec)
    if problems:
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        return 1
    text = render(pairs, services, operations, applied_sources, applied_names,
                  generation_date(args.date), checks)
    if args.output:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, args.output)
    else:
        sys.stdout.write(text)
    print(f"{services} services, {operations} operations, {len(pairs)} pairs; "
          f"{len(applied_sources)} source exceptions, {len(applied_names)} name overrides, "
          f"{len(EXTRA_EVENTS)} extra events; checks passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
