#!/usr/bin/env python3
"""Builds the CIS monitoring chain fixture of the end-to-end scan test in a local AWS emulator
(moto) with the real AWS CLI, and saves the CLI's JSON outputs.

    python scripts/moto_fixture.py OUT_DIR [--stop]

Starts `python -m moto.server` on a free loopback port, creates the resources below in
us-east-1 (account 123456789012, moto's), writes the outputs of the describe/list commands
into OUT_DIR, and prints, as its last lines on standard output,

    MOTO_PORT=<port>
    MOTO_PID=<pid>

leaving the server running for a live scan (the caller stops it: `kill <pid>`). With
`--stop` it stops the server before exiting. On any failure the server is stopped and the exit
status is non-zero; the server's log is OUT_DIR/moto.log.

The Python running this must have moto[server]==5.2.1 (or moto[s3] with flask and flask-cors)
and awscli==1.45.11: scripts/e2e_env.sh makes such a venv. The AWS CLI runs in this process
(`awscli.clidriver`, exactly what the `aws` command runs) to spare ~40 interpreter starts.

The scenario, one rule per line (filters on the trail's log group unless said otherwise):

  iam-policy-changes          the 19-event pattern, reordered and respaced; alarm in namespace
                              CISBenchmark -> topic cis-alarms (confirmed sqs subscription)
                                                                                        PASS
  root-account-usage          `$.eventType = "AwsApiCall"` instead of `!= "AwsServiceEvent"`:
                              misses console sign-ins                   FAIL (metric filter)
  console-signin-without-mfa  right pattern; the alarm watches namespace WrongNamespace
                                                                                FAIL (alarm)
  cloudtrail-config-changes   right pattern and alarm -> topic cis-email (one email
                              subscription; see "pending" below)
                              saved outputs: FAIL (subscription); live: PASS
  console-auth-failures       right pattern and alarm -> topic cis-silent (no subscription)
                                                                         FAIL (subscription)
  cis-iam-policy-changes      no filter of its own, but the 19-event filter above catches the
                              16 events CIS asks for                                    PASS
  nacl-changes                right pattern and alarm, but on log group other-group, which no
                              trail delivers to                         FAIL (metric filter)
  every other rule            no metric filter                          FAIL (metric filter)

Trails: cis-trail (multi-region, logging, ReadWriteType All, -> log group cis-trail) and
regional-trail (single-region, not logging, no log group, write-only selectors).

Pending: moto 5.2 confirms every subscription at once, while AWS keeps an email subscription
"PendingConfirmation" until its link is followed. So that the saved outputs show that case,
the email subscription's SubscriptionArn is rewritten to "PendingConfirmation" in the saved
sns outputs (and only there).
"""

import contextlib
import io
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ACCOUNT = "123456789012"
REGION = "us-east-1"
GROUP = "cis-trail"

IAM19 = (
    "{($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || "
    "($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || "
    "($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy) || "
    "($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || "
    "($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || "
    "($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || "
    "($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || "
    "($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || "
    "($.eventName=SetDefaultPolicyVersion) || ($.eventName=AddUserToGroup) || "
    "($.eventName=UpdateAssumeRolePolicy)}"
)
NACL_CHANGES = (
    "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
    "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
    "($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"
)
ROOT_NARROWED = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType = "AwsApiCall" }'
)
SIGNIN_NO_MFA = (
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
    '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
)
TRAIL_CHANGES = (
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
    "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
    "($.eventName = StopLogging) }"
)
AUTH_FAILURES = '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolate_environment(out):
    """Dummy credentials only; nothing from the caller's AWS configuration."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(out / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(out / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
    )


class Cli:
    """The AWS CLI, run in this process against the emulator."""

    def __init__(self, endpoint):
        from awscli.clidriver import create_clidriver

        self.create = create_clidriver
        self.endpoint = endpoint

    def __call__(self, *args):
        argv = ["--endpoint-url", self.endpoint, "--region", REGION, "--output", "json"]
        argv += list(args)
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            status = self.create().main(argv)
        if status != 0:
            raise RuntimeError(f"aws {' '.join(args[:2])} failed ({status}): {stderr.getvalue()}")
        text = stdout.getvalue()
        return json.loads(text) if text.strip() else None


def build(aws, out):
    group_arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*"

    # Trails.
    aws("s3api", "create-bucket", "--bucket", "cis-trail-bucket")
    aws("logs", "create-log-group", "--log-group-name", GROUP)
    aws("logs", "create-log-group", "--log-group-name", "other-group")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = aws(
        "iam", "create-role", "--role-name", "cloudtrail-to-logs",
        "--assume-role-policy-document", json.dumps(trust),
    )["Role"]["Arn"]
    aws(
        "cloudtrail", "create-trail", "--name", "cis-trail",
        "--s3-bucket-name", "cis-trail-bucket", "--is-multi-region-trail",
        "--cloud-watch-logs-log-group-arn", group_arn, "--cloud-watch-logs-role-arn", role,
    )
    aws("cloudtrail", "start-logging", "--name", "cis-trail")
    aws(
        "cloudtrail", "put-event-selectors", "--trail-name", "cis-trail", "--event-selectors",
        '[{"ReadWriteType":"All","IncludeManagementEvents":true}]',
    )
    aws("cloudtrail", "create-trail", "--name", "regional-trail",
        "--s3-bucket-name", "cis-trail-bucket")
    aws(
        "cloudtrail", "put-event-selectors", "--trail-name", "regional-trail",
        "--event-selectors", '[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true}]',
    )

    # Topics and subscriptions.
    def topic(name):
        return aws("sns", "create-topic", "--name", name)["TopicArn"]

    alarms_topic, email_topic, silent_topic = (
        topic("cis-alarms"), topic("cis-email"), topic("cis-silent"))
    aws("sqs", "create-queue", "--queue-name", "cis-alarms-queue")
    aws("sns", "subscribe", "--topic-arn", alarms_topic, "--protocol", "sqs",
        "--notification-endpoint", f"arn:aws:sqs:{REGION}:{ACCOUNT}:cis-alarms-queue")
    aws("sns", "subscribe", "--topic-arn", email_topic, "--protocol", "email",
        "--notification-endpoint", "security@example.com")

    # Metric filters and alarms.
    def chain(name, group, metric, pattern, namespace, topic_arn):
        aws(
            "logs", "put-metric-filter", "--filter-name", name, "--log-group-name", group,
            "--filter-pattern", pattern, "--metric-transformations",
            f"metricName={metric},metricNamespace=CISBenchmark,metricValue=1",
        )
        aws(
            "cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", namespace,
            "--metric-name", metric, "--statistic", "Sum", "--period", "300",
            "--evaluation-periods", "1", "--threshold", "1",
            "--comparison-operator", "GreaterThanOrEqualToThreshold",
            "--alarm-actions", topic_arn,
        )

    ns = "CISBenchmark"
    chain("iam-policy-changes", GROUP, "IAMPolicyChanges", IAM19, ns, alarms_topic)
    chain("root-account-usage", GROUP, "RootAccountUsage", ROOT_NARROWED, ns, alarms_topic)
    chain("console-signin-without-mfa", GROUP, "ConsoleSigninWithoutMFA", SIGNIN_NO_MFA,
          "WrongNamespace", alarms_topic)
    chain("cloudtrail-config-changes", GROUP, "CloudTrailConfigChanges", TRAIL_CHANGES, ns,
          email_topic)
    chain("console-auth-failures", GROUP, "ConsoleAuthFailures", AUTH_FAILURES, ns,
          silent_topic)
    chain("nacl-changes", "other-group", "NACLChanges", NACL_CHANGES, ns, alarms_topic)

    # The saved outputs.
    def save(name, *args):
        data = aws(*args)
        if name.startswith("sns_"):
            # The email subscription stays pending on AWS (see the module's documentation).
            for sub in data.get("Subscriptions", []):
                if sub.get("Protocol") == "email":
                    sub["SubscriptionArn"] = "PendingConfirmation"
        (out / name).write_text(json.dumps(data, indent=4) + "\n")

    save("cloudtrail_describe-trails.json", "cloudtrail", "describe-trails")
    for trail in ("cis-trail", "regional-trail"):
        save(f"cloudtrail_get-trail-status_{trail}.json",
             "cloudtrail", "get-trail-status", "--name", trail)
        save(f"cloudtrail_get-event-selectors_{trail}.json",
             "cloudtrail", "get-event-selectors", "--trail-name", trail)
    save("logs_describe-metric-filters.json", "logs", "describe-metric-filters")
    save("cloudwatch_describe-alarms.json", "cloudwatch", "describe-alarms")
    save("sns_list-subscriptions.json", "sns", "list-subscriptions")
    save("sns_list-subscriptions-by-topic_cis-alarms.json",
         "sns", "list-subscriptions-by-topic", "--topic-arn", alarms_topic)
    save("sns_list-subscriptions-by-topic_cis-email.json",
         "sns", "list-subscriptions-by-topic", "--topic-arn", email_topic)


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--stop"):
        sys.exit("usage: moto_fixture.py OUT_DIR [--stop]")
    out = pathlib.Path(sys.argv[1]).resolve()
    stop = len(sys.argv) == 3
    out.mkdir(parents=True, exist_ok=True)
    isolate_environment(out)

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with open(out / "moto.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    ok = False
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"moto.server exited with status {server.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError("moto.server did not answer within 60 s")
                time.sleep(0.2)
        build(Cli(endpoint), out)
        ok = True
    except Exception as e:  # noqa: BLE001 - report anything and stop the server
        print(f"moto_fixture.py: {e}; moto's log: {out / 'moto.log'}", file=sys.stderr)
    finally:
        if not ok or stop:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    if not ok:
        sys.exit(1)
    print(f"MOTO_PORT={port}")
    print(f"MOTO_PID={server.pid}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
