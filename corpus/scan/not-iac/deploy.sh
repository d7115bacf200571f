#!/bin/sh
set -eu
terraform init
terraform apply -auto-approve
