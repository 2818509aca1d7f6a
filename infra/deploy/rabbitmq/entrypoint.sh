#!/bin/bash
# Starts a RabbitMQ cluster node with its secrets: the shared Erlang cookie (every node of a cluster must have the same
# one, readable by its owner only) and the password of the user the services log in as, created when the cluster is
# first formed. Both come from files mounted under /run/secrets; then the image's own entrypoint runs.
set -euo pipefail
cookie_file="${RABBITMQ_ERLANG_COOKIE_FILE:-/run/secrets/rabbitmq_erlang_cookie}"
password_file="${RABBITMQ_DEFAULT_PASS_FILE:-/run/secrets/rabbitmq_password}"
config_file="${RABBITMQ_CLUSTER_CONFIG:-/opt/takedowns/20-cluster.conf}"
install -m 600 /dev/null "$HOME/.erlang.cookie"
tr -d '\r\n' < "$cookie_file" > "$HOME/.erlang.cookie"
chmod 400 "$HOME/.erlang.cookie"
mkdir -p /etc/rabbitmq/conf.d
cp "$config_file" /etc/rabbitmq/conf.d/20-cluster.conf
{
  echo "default_user = ${RABBITMQ_DEFAULT_USER_NAME:-takedowns}"
  echo "default_pass = $(tr -d '\r\n' < "$password_file")"
  echo "default_vhost = /"
  echo "default_user_tags.administrator = true"
  echo "default_permissions.configure = .*"
  echo "default_permissions.read = .*"
  echo "default_permissions.write = .*"
} > /etc/rabbitmq/conf.d/30-default-user.conf
chmod 600 /etc/rabbitmq/conf.d/30-default-user.conf
exec docker-entrypoint.sh "$@"
