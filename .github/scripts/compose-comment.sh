#!/usr/bin/env bash
# Writes the pull-request comment (markdown) to stdout from what the validate and plan steps
# left behind, and copies any explanation that is not a plan into the job summary (the plan
# itself is already there: contentsync appends it). Inputs, all from the environment:
#   IS_FORK, HAS_TOKEN           "true"/"false"
#   VALIDATE_OUTCOME, PLAN_OUTCOME, STATUS_OUTCOME   success, failure, skipped or empty
#   VALIDATE_LOG, PLAN_LOG, PLAN_MARKDOWN, STATUS_MARKDOWN   files (may be empty or missing)
#   RUN_URL, HEAD_SHA
# action.yml's `comment` command sets them from what its validate, plan and status commands
# left in $RUNNER_TEMP.
set -euo pipefail

limit=50000  # room for the notes around a log, under GitHub's 65,536-character comment limit
# The translation status goes under the plan (cut to max-chars, 60,000 by default): whole up to
# this size, else its sentences only (its tables are in the job summary).
status_limit=4000

translation_status() {
  local file=${STATUS_MARKDOWN:-}
  if [ "${STATUS_OUTCOME:-}" != "success" ] || [ -z "$file" ] || [ ! -s "$file" ]; then
    return
  fi
  if [ "$(wc -c < "$file")" -le "$status_limit" ]; then
    cat "$file"
  else
    grep -v -e '^|' -e '^<' -e '^\*\*' "$file" | cat -s | head -c "$status_limit"
    echo
    echo "(The whole translation status, with every item and locale, is in the job summary.)"
  fi
  echo
}

fenced() {  # a log file in a code fence, cut to $limit characters
  local file=$1
  echo '~~~~text'
  if [ -n "$file" ] && [ -f "$file" ]; then
    # Lines starting with :: are workflow commands (the annotations), shown on the diff already.
    head -c "$limit" "$file" | tr -d '\r' | sed -e '/^::/d' -e 's/^~~~~/ ~~~~/'
    if [ "$(wc -c < "$file")" -gt "$limit" ]; then
      echo "... (cut: the whole output is in the run's log)"
    fi
  fi
  echo '~~~~'
}

note=""
body=""
if [ "${VALIDATE_OUTCOME:-}" != "success" ]; then
  note="**Validation failed**, so there is no plan. Fix these and push again:"
  body=$(fenced "${VALIDATE_LOG:-}")
elif [ "${IS_FORK:-false}" = "true" ]; then
  note="The content is valid. **There is no plan** because this pull request comes from a fork:
GitHub gives workflows on pull requests from forks no secrets, so this run has no Intercom
token to read the help center with. Merging applies only a plan that was reviewed, so a merge
of this pull request as it is applies nothing. A maintainer can push this branch to the
repository itself to get the plan here, or, after the merge, run the workflow by hand, which
plans and applies main."
elif [ "${PLAN_OUTCOME:-}" != "success" ]; then
  note="The content is valid, but **the plan failed**:"
  body=$(fenced "${PLAN_LOG:-}")
else
  if [ "${HAS_TOKEN:-false}" != "true" ]; then
    note="> [!NOTE]
> This repository has no \`INTERCOM_ACCESS_TOKEN\` secret, so this plan is against
> contentsync's embedded sandbox (an empty help center), not a real Intercom workspace."
  fi
  if [ -n "${PLAN_MARKDOWN:-}" ] && [ -f "$PLAN_MARKDOWN" ]; then
    body=$(cat "$PLAN_MARKDOWN")
  else
    body="(the plan step left no markdown)"
  fi
fi

sha=${HEAD_SHA:-}
{
  if [ "${PLAN_OUTCOME:-}" != "success" ]; then
    echo "## contentsync plan"  # the plan's markdown brings this heading itself
    echo
  fi
  # The plan's own heading stays first, the note right under it.
  first=$(head -n 1 <<< "$body")
  if [[ $first == "## "* ]]; then
    echo "$first"
    echo
    body=$(tail -n +2 <<< "$body")
  fi
  if [ -n "$note" ]; then
    echo "$note"
    echo
  fi
  if [ -n "$body" ]; then
    echo "$body"
    echo
  fi
  translation_status
  echo "<sub>Commit ${sha:0:12} · [run log and full plan](${RUN_URL:-})</sub>"
}

# The job summary: contentsync has put the plan there already; add the note (why there is no
# plan, or that the plan is against the sandbox) and, when there is no plan, what went wrong.
if [ -n "$note" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### contentsync"
    echo
    echo "$note"
    echo
    if [ "${PLAN_OUTCOME:-}" != "success" ] && [ -n "$body" ]; then echo "$body"; fi
  } >> "$GITHUB_STEP_SUMMARY"
fi
