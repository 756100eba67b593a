/**
 * Amazon EventBridge over awsJson1_1 (X-Amz-Target AWSEvents.*): event buses, rules
 * (event patterns and schedules), targets (Lambda, SQS, SNS, event buses, log groups)
 * with Input/InputPath/InputTransformer, retries and dead-letter queues, and PutEvents.
 *
 * Scheduled rules do not fire on their own (that would invent invocations the workload
 * simulator did not record): the simulator calls fireScheduledRules(until) on its clock.
 */
import { Cron } from "croner";
import { AwsServiceError, decodeToken, encodeToken, newRequestId, type SandboxContext, type SandboxRequest, type SandboxService } from "../core.ts";
import { jsonProtocol } from "../protocols.ts";
import { PatternSyntaxError, matchesPattern, validatePattern } from "./sns-filter-policy.ts";

interface EventBus {
  name: string;
  arn: string;
  description?: string;
  createdAt: number;
  lastModifiedAt: number;
  tags: Record<string, string>;
}

interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputTemplate: string; InputPathsMap?: Record<string, string> };
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  SqsParameters?: { MessageGroupId?: string };
  [other: string]: unknown;
}

interface Rule {
  name: string;
  busName: string;
  arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: string;
  description?: string;
  roleArn?: string;
  createdAt: number;
  /** Last schedule occurrence already fired (ms). */
  lastFiredAt?: number;
  targets: Target[];
  tags: Record<string, string>;
}

interface EventsState {
  buses: Record<string, EventBus>;
  /** Keyed by `${busName}/${ruleName}`. */
  rules: Record<string, Rule>;
}

/** An event as EventBridge delivers it to targets. */
interface BusEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

type Json = Record<string, any>;

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const RULE_STATES = new Set(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]);
const MAX_TARGETS_PER_RULE = 5;
const MAX_PUT_EVENTS_ENTRIES = 10;
const MAX_PUT_EVENTS_BYTES = 256 * 1024;
const PAGE_LIMIT = 100;
const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;
const MAX_FIRES_PER_CALL = 10_000;
/** Event-bus targets can chain; AWS stops loops, the sandbox caps the depth. */
const MAX_BUS_HOPS = 5;

/** A record without a prototype, so user-chosen keys such as "constructor" or "__proto__" are plain keys. */
function dict<T>(entries?: Record<string, T>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of Object.entries(entries ?? {})) out[k] = v;
  return out;
}

const eventsError = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status, { fault: "Sender" });
const validation = (message: string) => eventsError("ValidationException", message);

/** The EventBridge service of the sandbox. */
export class EventBridgeService implements SandboxService {
  readonly signingName: string;
  readonly matches: SandboxService["matches"];
  readonly resolve: SandboxService["resolve"];
  readonly renderError: SandboxService["renderError"];
  readonly throttlingError: SandboxService["throttlingError"];

  private state: EventsState;
  /** Parsed event patterns by their JSON text (rules keep the text, as AWS returns it). */
  private readonly patterns = new Map<string, Json>();

  constructor(private readonly ctx: SandboxContext) {
    this.state = { buses: dict(), rules: dict() };
    this.ensureDefaultBus();
    const op = (fn: (input: Json, req: SandboxRequest) => unknown) => (input: Json, _ctx: SandboxContext, req: SandboxRequest) => fn.call(this, input ?? {}, req);
    const proto = jsonProtocol({
      signingName: "events",
      targetPrefix: "AWSEvents",
      jsonVersion: "1.1",
      throttlingError: () => eventsError("ThrottlingException", "Rate exceeded."),
      operations: {
        PutRule: op(this.putRule),
        DescribeRule: op(this.describeRule),
        ListRules: op(this.listRules),
        DeleteRule: op(this.deleteRule),
        EnableRule: op((i) => this.setRuleState(i, "ENABLED")),
        DisableRule: op((i) => this.setRuleState(i, "DISABLED")),
        PutTargets: op(this.putTargets),
        ListTargetsByRule: op(this.listTargetsByRule),
        RemoveTargets: op(this.removeTargets),
        ListRuleNamesByTarget: op(this.listRuleNamesByTarget),
        PutEvents: op(this.putEvents),
        TestEventPattern: op(this.testEventPattern),
        CreateEventBus: op(this.createEventBus),
        DescribeEventBus: op(this.describeEventBus),
        ListEventBuses: op(this.listEventBuses),
        DeleteEventBus: op(this.deleteEventBus),
        TagResource: op(this.tagResource),
        UntagResource: op(this.untagResource),
        ListTagsForResource: op(this.listTagsForResource),
      },
    });
    this.signingName = proto.signingName;
    this.matches = proto.matches;
    this.resolve = proto.resolve;
    this.renderError = proto.renderError;
    this.throttlingError = proto.throttlingError;
  }

  // ------------------------------------------------------------ internals

  /**
   * Fires every occurrence of enabled scheduled rules after their last firing (or creation)
   * up to `until` (ms, default now), delivering "Scheduled Event"s; returns how many fired.
   */
  fireScheduledRules(until = this.ctx.now()): number {
    let fired = 0;
    for (const rule of Object.values(this.state.rules)) {
      if (!rule.scheduleExpression || !isEnabled(rule)) continue;
      for (const at of scheduleOccurrences(rule.scheduleExpression, rule.lastFiredAt ?? rule.createdAt, until, MAX_FIRES_PER_CALL - fired)) {
        rule.lastFiredAt = at;
        const event: BusEvent = {
          version: "0",
          id: newRequestId(this.ctx.random),
          "detail-type": "Scheduled Event",
          source: "aws.events",
          account: this.ctx.accountId,
          time: isoSeconds(at),
          region: this.ctx.region,
          resources: [rule.arn],
          detail: {},
        };
        this.dispatchToRule(rule, event, 0);
        fired++;
      }
    }
    if (fired) this.ctx.touch();
    return fired;
  }

  snapshot(): unknown {
    return this.state;
  }

  restore(state: unknown): void {
    const s = structuredClone(state as EventsState);
    const buses = dict<EventBus>();
    for (const [name, b] of Object.entries(s.buses ?? {})) buses[name] = { ...b, tags: dict(b.tags) };
    const rules = dict<Rule>();
    for (const [key, r] of Object.entries(s.rules ?? {})) rules[key] = { ...r, tags: dict(r.tags) };
    this.state = { buses, rules };
    this.ensureDefaultBus();
  }

  // ------------------------------------------------------------ rules

  private putRule(input: Json) {
    const name = this.ruleName(input.Name);
    const bus = this.bus(input.EventBusName);
    const schedule = input.ScheduleExpression as string | undefined;
    const pattern = input.EventPattern as string | undefined;
    if (!schedule && !pattern) throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    if (schedule) {
      if (bus.name !== "default") throw validation("ScheduleExpression is supported only on the default event bus.");
      if (!validSchedule(schedule)) throw validation("Parameter ScheduleExpression is not valid.");
    }
    if (pattern !== undefined) parseEventPattern(pattern);
    const state = (input.State as string | undefined) ?? "ENABLED";
    if (!RULE_STATES.has(state)) throw validation(`1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`);
    const key = `${bus.name}/${name}`;
    const existing = this.state.rules[key];
    const rule: Rule = {
      name,
      busName: bus.name,
      arn: bus.name === "default" ? `arn:aws:events:${this.ctx.region}:${this.ctx.accountId}:rule/${name}` : `arn:aws:events:${this.ctx.region}:${this.ctx.accountId}:rule/${bus.name}/${name}`,
      state,
      createdAt: existing?.createdAt ?? this.ctx.now(),
      targets: existing?.targets ?? [],
      tags: existing?.tags ?? tagsOf(input.Tags),
    };
    // PutRule replaces the rule: omitted fields do not keep their old values.
    if (pattern !== undefined) rule.eventPattern = pattern;
    if (schedule) rule.scheduleExpression = schedule;
    if (input.Description !== undefined) rule.description = String(input.Description);
    if (input.RoleArn !== undefined) rule.roleArn = String(input.RoleArn);
    if (existing?.lastFiredAt !== undefined && existing.scheduleExpression === schedule) rule.lastFiredAt = existing.lastFiredAt;
    this.state.rules[key] = rule;
    this.ctx.touch();
    return { RuleArn: rule.arn };
  }

  private describeRule(input: Json) {
    const rule = this.rule(input.Name, input.EventBusName);
    return { ...this.renderRule(rule), CreatedBy: this.ctx.accountId };
  }

  private renderRule(rule: Rule): Json {
    return {
      Name: rule.name,
      Arn: rule.arn,
      ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
      ...(rule.scheduleExpression ? { ScheduleExpression: rule.scheduleExpression } : {}),
      State: rule.state,
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
      ...(rule.roleArn ? { RoleArn: rule.roleArn } : {}),
      EventBusName: rule.busName,
    };
  }

  private listRules(input: Json) {
    const bus = this.bus(input.EventBusName);
    const prefix = typeof input.NamePrefix === "string" ? input.NamePrefix : "";
    const names = Object.values(this.state.rules)
      .filter((r) => r.busName === bus.name && r.name.startsWith(prefix))
      .map((r) => r.name)
      .sort();
    const page = this.page(names, input.NextToken, input.Limit, "ListRules");
    return { Rules: page.items.map((n) => this.renderRule(this.state.rules[`${bus.name}/${n}`]!)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  }

  private deleteRule(input: Json) {
    const name = this.ruleName(input.Name);
    const bus = this.bus(input.EventBusName);
    const rule = this.state.rules[`${bus.name}/${name}`];
    // Deleting a rule that does not exist succeeds, as on AWS.
    if (!rule) return {};
    if (rule.targets.length && input.Force !== true) throw validation("Rule can't be deleted since it has targets.");
    delete this.state.rules[`${bus.name}/${name}`];
    this.ctx.touch();
    return {};
  }

  private setRuleState(input: Json, state: "ENABLED" | "DISABLED") {
    const rule = this.rule(input.Name, input.EventBusName);
    rule.state = state;
    this.ctx.touch();
    return {};
  }

  private putTargets(input: Json) {
    const rule = this.rule(input.Rule, input.EventBusName);
    const targets = input.Targets as Target[] | undefined;
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 10) {
      throw validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1");
    }
    for (const t of targets) {
      if (typeof t?.Id !== "string" || !NAME.test(t.Id)) throw validation(`1 validation error detected: Value '${t?.Id}' at 'targets.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
      if (typeof t.Arn !== "string" || !/^arn:aws[\w-]*:[\w-]+:[\w-]*:\d{0,12}:.+$/.test(t.Arn)) throw validation(`Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.`);
      if ([t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length > 1) throw validation("Only one of Input, InputPath, or InputTransformer must be provided.");
      if (t.Input !== undefined && !isJson(t.Input)) throw validation(`Input for target ${t.Id} is not valid JSON text.`);
      if (t.InputPath !== undefined && !/^\$(\.[\w-]+|\[\d+\])*$/.test(t.InputPath)) throw validation(`InputPath for target ${t.Id} is invalid.`);
      if (t.InputTransformer && typeof t.InputTransformer.InputTemplate !== "string") throw validation(`InputTemplate for target ${t.Id} is required.`);
    }
    const merged = new Map(rule.targets.map((t) => [t.Id, t]));
    for (const t of targets) merged.set(t.Id, structuredClone(t));
    if (merged.size > MAX_TARGETS_PER_RULE) throw eventsError("LimitExceededException", "The requested resource exceeds the maximum number allowed.");
    rule.targets = [...merged.values()];
    this.ctx.touch();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listTargetsByRule(input: Json) {
    const rule = this.rule(input.Rule, input.EventBusName);
    const ids = rule.targets.map((t) => t.Id);
    const page = this.page(ids, input.NextToken, input.Limit, "ListTargetsByRule", false);
    return { Targets: page.items.map((id) => rule.targets.find((t) => t.Id === id)!), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  }

  private removeTargets(input: Json) {
    const rule = this.rule(input.Rule, input.EventBusName);
    const ids = (input.Ids ?? []) as string[];
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) throw validation("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100");
    rule.targets = rule.targets.filter((t) => !ids.includes(t.Id));
    this.ctx.touch();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listRuleNamesByTarget(input: Json) {
    if (typeof input.TargetArn !== "string" || input.TargetArn === "") throw validation("Parameter TargetArn is not valid.");
    const bus = this.bus(input.EventBusName);
    const names = Object.values(this.state.rules)
      .filter((r) => r.busName === bus.name && r.targets.some((t) => t.Arn === input.TargetArn))
      .map((r) => r.name)
      .sort();
    const page = this.page(names, input.NextToken, input.Limit, "ListRuleNamesByTarget");
    return { RuleNames: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  }

  /** Pages of names; `sorted` lists resume after the last name, others after an index. */
  private page(items: string[], token: unknown, limit: unknown, operation: string, sorted = true): { items: string[]; nextToken?: string } {
    if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > PAGE_LIMIT)) {
      throw validation(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${PAGE_LIMIT}`);
    }
    const size = Math.min((limit as number | undefined) ?? PAGE_LIMIT, this.ctx.pageSize("events", operation, PAGE_LIMIT));
    let from = 0;
    if (token !== undefined && token !== null && token !== "") {
      let cursor: { after?: string; index?: number } | undefined;
      try {
        cursor = decodeToken<{ after?: string; index?: number }>(String(token));
      } catch {
        cursor = undefined;
      }
      if (!cursor) throw validation("The NextToken provided is invalid.");
      from = sorted ? items.findIndex((n) => n > (cursor!.after ?? "")) : Number(cursor.index ?? 0);
      if (from < 0) from = items.length;
    }
    const page = items.slice(from, from + size);
    const more = from + size < items.length;
    return { items: page, nextToken: more ? encodeToken(sorted ? { after: page[page.length - 1] } : { index: from + size }) : undefined };
  }

  // ------------------------------------------------------------ events

  private putEvents(input: Json) {
    const entries = input.Entries as Json[] | undefined;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_PUT_EVENTS_ENTRIES) {
      throw validation(`1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PUT_EVENTS_ENTRIES} and greater than or equal to 1`);
    }
    const size = entries.reduce((sum, e) => sum + entrySize(e), 0);
    if (size > MAX_PUT_EVENTS_BYTES) throw validation("Total size of the entries in the request is over the limit.");
    const results: Json[] = [];
    let failed = 0;
    for (const entry of entries) {
      const error = this.entryError(entry);
      if (error) {
        failed++;
        results.push({ ErrorCode: error[0], ErrorMessage: error[1] });
        continue;
      }
      const event: BusEvent = {
        version: "0",
        id: newRequestId(this.ctx.random),
        "detail-type": entry.DetailType,
        source: entry.Source,
        account: this.ctx.accountId,
        time: isoSeconds(entry.Time !== undefined ? Number(entry.Time) * 1000 : this.ctx.now()),
        region: this.ctx.region,
        resources: (entry.Resources ?? []) as string[],
        detail: JSON.parse(entry.Detail as string),
      };
      this.dispatch(this.busNameOf(entry.EventBusName), event, 0);
      results.push({ EventId: event.id });
    }
    return { FailedEntryCount: failed, Entries: results };
  }

  private entryError(entry: Json): [string, string] | undefined {
    if (!entry?.Source) return ["InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."];
    if (!entry.DetailType) return ["InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."];
    if (entry.Detail === undefined) return ["InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."];
    let detail: unknown;
    try {
      detail = JSON.parse(String(entry.Detail));
    } catch {
      return ["MalformedDetail", "Detail is malformed."];
    }
    if (typeof detail !== "object" || detail === null || Array.isArray(detail)) return ["MalformedDetail", "Detail is malformed."];
    if (String(entry.Source).startsWith("aws.")) return ["NotAuthorizedForSourceException", "Not authorized for the source."];
    if (!this.state.buses[this.busNameOf(entry.EventBusName)]) return ["InvalidArgument", `Event bus ${entry.EventBusName} does not exist.`];
    return undefined;
  }

  private busNameOf(nameOrArn: unknown): string {
    if (typeof nameOrArn !== "string" || nameOrArn === "") return "default";
    const m = /^arn:aws[\w-]*:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(nameOrArn);
    return m ? m[1]! : nameOrArn;
  }

  private dispatch(busName: string, event: BusEvent, hops: number): void {
    for (const rule of Object.values(this.state.rules)) {
      if (rule.busName !== busName || !rule.eventPattern || !isEnabled(rule)) continue;
      if (!matchesPattern(this.pattern(rule.eventPattern), event)) continue;
      this.metric(rule, "MatchedEvents", 1);
      this.dispatchToRule(rule, event, hops);
    }
  }

  private dispatchToRule(rule: Rule, event: BusEvent, hops: number): void {
    if (rule.targets.length) this.metric(rule, "TriggeredRules", 1);
    for (const target of rule.targets) {
      let payload: string;
      try {
        payload = transformInput(target, event, rule);
      } catch (err) {
        this.targetFailed(rule, target, event, "InvalidInput", (err as Error).message, 0);
        continue;
      }
      void this.deliver(rule, target, event, payload, hops);
    }
  }

  private async deliver(rule: Rule, target: Target, event: BusEvent, payload: string, hops: number): Promise<void> {
    const maxAttempts = (target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS) + 1;
    const deadline = Date.now() + (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS) * 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.invokeTarget(target, event, payload, hops);
        this.metric(rule, "Invocations", 1);
        return;
      } catch (err) {
        const code = errorCode(err);
        const retryable = isRetryable(err);
        const delay = Math.min(1000 * 2 ** (attempt - 1), 60_000);
        if (!retryable || attempt >= maxAttempts || Date.now() + delay > deadline) {
          this.metric(rule, "Invocations", 1);
          this.targetFailed(rule, target, event, code, (err as Error)?.message ?? String(err), attempt - 1, retryable ? (attempt >= maxAttempts ? "MaximumRetryAttemptsExceeded" : "MaximumEventAgeExceeded") : undefined);
          return;
        }
        await new Promise<void>((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  private async invokeTarget(target: Target, event: BusEvent, payload: string, hops: number): Promise<void> {
    const service = target.Arn.split(":")[2];
    switch (service) {
      case "lambda":
        await this.ctx.internals.invokeLambda(target.Arn, payload, "Event");
        return;
      case "sqs":
        this.ctx.internals.sendSqsMessage(target.Arn, payload);
        return;
      case "sns":
        this.ctx.internals.publishSns(target.Arn, payload);
        return;
      case "events": {
        const bus = this.busNameOf(target.Arn);
        if (!this.state.buses[bus]) throw eventsError("ResourceNotFoundException", `Event bus ${bus} does not exist.`);
        if (hops < MAX_BUS_HOPS) this.dispatch(bus, event, hops + 1);
        return;
      }
      case "logs": {
        const group = /:log-group:([^:]+)/.exec(target.Arn)?.[1];
        if (!group) throw eventsError("ValidationException", "Invalid log group ARN.");
        this.ctx.internals.putLogEvents(group, event.id, [{ timestamp: Date.parse(event.time) || this.ctx.now(), message: payload }]);
        return;
      }
      default:
        // Other target types (Kinesis, Step Functions, API destinations...) are accepted without delivery.
        return;
    }
  }

  private targetFailed(rule: Rule, target: Target, event: BusEvent, code: string, message: string, retries: number, exhausted?: string): void {
    this.metric(rule, "FailedInvocations", 1);
    const dlq = target.DeadLetterConfig?.Arn;
    if (!dlq) return;
    try {
      this.ctx.internals.sendSqsMessage(dlq, JSON.stringify(event), {
        RULE_ARN: { DataType: "String", StringValue: rule.arn },
        TARGET_ARN: { DataType: "String", StringValue: target.Arn },
        ERROR_CODE: { DataType: "String", StringValue: code },
        ERROR_MESSAGE: { DataType: "String", StringValue: message.slice(0, 1024) || code },
        RETRY_ATTEMPTS: { DataType: "Number", StringValue: String(retries) },
        ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: { DataType: "String", StringValue: exhausted } } : {}),
      });
      this.metric(rule, "DeadLetterInvocations", 1);
    } catch {
      this.metric(rule, "InvocationsFailedToBeSentToDlq", 1);
    }
  }

  private testEventPattern(input: Json) {
    const pattern = parseEventPattern(input.EventPattern);
    let event: Json;
    try {
      event = JSON.parse(String(input.Event)) as Json;
    } catch {
      throw validation("Parameter Event is not valid.");
    }
    for (const field of ["id", "account", "source", "time", "region", "detail-type"]) {
      if (event?.[field] === undefined) throw validation(`Parameter Event is not valid. Reason: Event is missing required field ${field}.`);
    }
    return { Result: matchesPattern(pattern, event) };
  }

  private metric(rule: Rule, name: string, value: number): void {
    try {
      this.ctx.internals.putMetricData("AWS/Events", [{ MetricName: name, Dimensions: [{ Name: "RuleName", Value: rule.name }], Timestamp: this.ctx.now(), Value: value, Unit: "Count" }]);
    } catch {
      // Metrics are best effort; delivery does not depend on them.
    }
  }

  // ------------------------------------------------------------ event buses and tags

  private createEventBus(input: Json) {
    const name = input.Name;
    if (typeof name !== "string" || !BUS_NAME.test(name) || name.startsWith("aws.")) throw validation(`Event bus name ${name} is not valid.`);
    if (this.state.buses[name]) throw eventsError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`);
    const now = this.ctx.now();
    const bus: EventBus = { name, arn: this.busArn(name), createdAt: now, lastModifiedAt: now, tags: tagsOf(input.Tags) };
    if (typeof input.Description === "string") bus.description = input.Description;
    this.state.buses[name] = bus;
    this.ctx.touch();
    return { EventBusArn: bus.arn, ...(bus.description ? { Description: bus.description } : {}) };
  }

  private renderBus(bus: EventBus): Json {
    return {
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.description ? { Description: bus.description } : {}),
      CreationTime: bus.createdAt / 1000,
      LastModifiedTime: bus.lastModifiedAt / 1000,
    };
  }

  private describeEventBus(input: Json) {
    return this.renderBus(this.bus(input.Name));
  }

  private listEventBuses(input: Json) {
    const prefix = typeof input.NamePrefix === "string" ? input.NamePrefix : "";
    const names = Object.keys(this.state.buses)
      .filter((n) => n.startsWith(prefix))
      .sort();
    const page = this.page(names, input.NextToken, input.Limit, "ListEventBuses");
    return { EventBuses: page.items.map((n) => this.renderBus(this.state.buses[n]!)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
  }

  private deleteEventBus(input: Json) {
    const name = this.busNameOf(input.Name);
    if (name === "default") throw validation("Cannot delete event bus default.");
    if (!this.state.buses[name]) return {};
    delete this.state.buses[name];
    for (const [key, rule] of Object.entries(this.state.rules)) if (rule.busName === name) delete this.state.rules[key];
    this.ctx.touch();
    return {};
  }

  private taggable(arn: unknown): { tags: Record<string, string> } {
    const text = String(arn ?? "");
    const bus = Object.values(this.state.buses).find((b) => b.arn === text);
    const rule = Object.values(this.state.rules).find((r) => r.arn === text);
    const found = bus ?? rule;
    if (!found) throw eventsError("ResourceNotFoundException", `Resource ${text} does not exist.`);
    return found;
  }

  private tagResource(input: Json) {
    const resource = this.taggable(input.ResourceARN);
    Object.assign(resource.tags, tagsOf(input.Tags));
    this.ctx.touch();
    return {};
  }

  private untagResource(input: Json) {
    const resource = this.taggable(input.ResourceARN);
    for (const key of (input.TagKeys ?? []) as string[]) delete resource.tags[key];
    this.ctx.touch();
    return {};
  }

  private listTagsForResource(input: Json) {
    const resource = this.taggable(input.ResourceARN);
    return { Tags: Object.entries(resource.tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  // ------------------------------------------------------------ helpers

  private pattern(text: string): Json {
    let parsed = this.patterns.get(text);
    if (!parsed) {
      parsed = JSON.parse(text) as Json;
      if (this.patterns.size > 1000) this.patterns.clear();
      this.patterns.set(text, parsed);
    }
    return parsed;
  }

  private ensureDefaultBus(): void {
    if (this.state.buses.default) return;
    const now = this.ctx.now();
    this.state.buses.default = { name: "default", arn: this.busArn("default"), createdAt: now, lastModifiedAt: now, tags: dict() };
  }

  private busArn(name: string): string {
    return `arn:aws:events:${this.ctx.region}:${this.ctx.accountId}:event-bus/${name}`;
  }

  private bus(nameOrArn: unknown): EventBus {
    const name = this.busNameOf(nameOrArn);
    const bus = this.state.buses[name];
    if (!bus) throw eventsError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    return bus;
  }

  private ruleName(name: unknown): string {
    if (typeof name !== "string" || !NAME.test(name)) {
      throw validation(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
    }
    return name;
  }

  private rule(name: unknown, busName: unknown): Rule {
    const ruleName = this.ruleName(name);
    const bus = this.bus(busName);
    const rule = this.state.rules[`${bus.name}/${ruleName}`];
    if (!rule) throw eventsError("ResourceNotFoundException", `Rule ${ruleName} does not exist on EventBus ${bus.name}.`);
    return rule;
  }
}

function isEnabled(rule: Rule): boolean {
  return rule.state !== "DISABLED";
}

function tagsOf(tags: unknown): Record<string, string> {
  return dict(Object.fromEntries(((tags ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value])));
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parseEventPattern(text: unknown): Json {
  let pattern: unknown;
  try {
    pattern = JSON.parse(String(text));
  } catch {
    throw eventsError("InvalidEventPatternException", "Event pattern is not valid. Reason: Filter is not valid JSON");
  }
  try {
    validatePattern(pattern);
  } catch (err) {
    throw eventsError("InvalidEventPatternException", `Event pattern is not valid. Reason: ${err instanceof PatternSyntaxError ? err.message : String(err)}`);
  }
  return pattern;
}

/** Events carry their time at second precision, e.g. 2024-05-01T12:00:00Z. */
function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function entrySize(entry: Json): number {
  let size = entry?.Time !== undefined ? 14 : 0;
  for (const key of ["Source", "DetailType", "Detail"]) if (typeof entry?.[key] === "string") size += Buffer.byteLength(entry[key]);
  for (const r of (entry?.Resources ?? []) as string[]) size += Buffer.byteLength(String(r));
  return size;
}

function errorCode(err: unknown): string {
  if (err instanceof AwsServiceError) return err.code;
  const e = err as { code?: string; name?: string };
  return e?.code ?? e?.name ?? "InternalError";
}

function isRetryable(err: unknown): boolean {
  const code = errorCode(err);
  const status = err instanceof AwsServiceError ? err.status : 0;
  return status >= 500 || status === 429 || /Throttl|TooManyRequests|ServiceException|Unavailable|InternalFailure/i.test(code);
}

// ---------------------------------------------------------------- schedules

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

function validSchedule(expression: string): boolean {
  const rate = RATE.exec(expression);
  if (rate) return Number(rate[1]) > 0 && (Number(rate[1]) === 1) === !rate[2]!.endsWith("s");
  return cronOf(expression) !== undefined;
}

/** EventBridge cron (minutes hours day-of-month month day-of-week year) as a croner job. */
function cronOf(expression: string): Cron | undefined {
  const m = /^cron\((.+)\)$/.exec(expression);
  const fields = m?.[1]!.trim().split(/\s+/);
  if (!fields || fields.length !== 6) return undefined;
  // One of day-of-month / day-of-week must be "?", as EventBridge requires.
  if ((fields[2] === "?") === (fields[4] === "?")) return undefined;
  try {
    return new Cron(`0 ${fields.join(" ")}`, { paused: true, timezone: "UTC", mode: "7-part", alternativeWeekdays: true, domAndDow: true, sloppyRanges: true });
  } catch {
    return undefined;
  }
}

/** Occurrences of a schedule in (after, until], at most `limit`. */
function scheduleOccurrences(expression: string, after: number, until: number, limit: number): number[] {
  const out: number[] = [];
  const rate = RATE.exec(expression);
  if (rate) {
    const unitMs = rate[2]!.startsWith("minute") ? 60_000 : rate[2]!.startsWith("hour") ? 3_600_000 : 86_400_000;
    const period = Number(rate[1]) * unitMs;
    for (let at = after + period; at <= until && out.length < limit; at += period) out.push(at);
    return out;
  }
  const cron = cronOf(expression);
  if (!cron) return out;
  let cursor = new Date(after);
  while (out.length < limit) {
    const next = cron.nextRun(cursor);
    if (!next || next.getTime() > until) break;
    out.push(next.getTime());
    cursor = next;
  }
  return out;
}

// ---------------------------------------------------------------- target input

/** The payload a target receives: the event, Input, the InputPath selection, or the InputTransformer output. */
function transformInput(target: Target, event: BusEvent, rule: Rule): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(selectPath(event, target.InputPath) ?? null);
  const transformer = target.InputTransformer;
  if (!transformer) return JSON.stringify(event);
  const values = dict<unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) values[name] = selectPath(event, path);
  const predefined = dict<unknown>({
    "aws.events.rule-arn": rule.arn,
    "aws.events.rule-name": rule.name,
    "aws.events.event.ingestion-time": event.time,
    "aws.events.event": event,
    "aws.events.event.json": event,
  });
  return transformer.InputTemplate.replace(/<([\w.-]+)>/g, (whole, name: string) => {
    const value = name in values ? values[name] : name in predefined ? predefined[name] : undefined;
    if (value === undefined) return name in values ? "null" : whole;
    // Strings are inserted bare (the template supplies quotes); other values as JSON.
    return typeof value === "string" ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value);
  });
}

/** A JSONPath subset: $, $.a.b, $.a[0]. */
function selectPath(doc: unknown, path: string): unknown {
  if (!path.startsWith("$")) return undefined;
  let current: unknown = doc;
  for (const [, key, index] of path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (current === null || typeof current !== "object") return undefined;
    current = index !== undefined ? (current as unknown[])[Number(index)] : (current as Record<string, unknown>)[key!];
  }
  return current;
}
