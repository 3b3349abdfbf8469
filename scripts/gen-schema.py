#!/usr/bin/env python3
"""Generate crates/kubarium/src/schema/generated.rs: a compact, machine-readable
schema of the Kubernetes API object fields kubarium understands, used by the
YAML validator to reject unknown fields (like `kubectl apply`'s strict field
validation), check value types and report missing required fields.

Source of truth: the official Kubernetes Python client, PyPI `kubernetes`
version 37.0.2, which is generated from the OpenAPI spec of Kubernetes
release-1.37 (see `kubernetes.client.Configuration().to_debug_report()`).

How to run (from the repository root):

    python3 -m venv /tmp/k8sgen
    /tmp/k8sgen/bin/pip install kubernetes==37.0.2
    /tmp/k8sgen/bin/python scripts/gen-schema.py

What it emits (`generated.rs`, which `schema/mod.rs` includes as a module and
which provides `FieldType`, `FieldDef` and `TypeDef`):

  * `TYPES`: every object type reachable from the root kinds below
    (transitive closure), sorted by name; each type's fields sorted by JSON
    name (plain code-point order, the same as Rust's `str` ordering, so both
    lists can be binary searched). `FieldType::Object(i)` indexes `TYPES`.
    Type names are the OpenAPI definition names, e.g.
    "io.k8s.api.core.v1.PodSpec", "io.k8s.api.apps.v1.DaemonSetSpec",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta".
  * One `pub const NAME: usize` index per root kind, and `ROOTS`, a list of
    (apiVersion, kind, index).

Root kinds: core/v1 Pod, Node, Namespace, Service, Endpoints,
ReplicationController, ResourceQuota, LimitRange, Event (CoreV1Event) and List;
apps/v1 DaemonSet, ReplicaSet, Deployment, ControllerRevision; batch/v1 Job,
CronJob; autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscaler;
discovery.k8s.io/v1 EndpointSlice. The client has no model for `v1 List`, so
it is added by hand (apiVersion, kind, metadata: ListMeta, items: [Any];
`items` is required, as in the Go type metav1.List).

Type mapping (Python client type -> FieldType):

  str, bytes               -> String
  int (int32 and int64)    -> Integer
  float (float and double) -> Number
  bool                     -> Boolean
  datetime                 -> Time (meta/v1 Time and MicroTime, RFC 3339)
  List[T]                  -> Array(T)
  Dict[str, T]             -> Map(T)
  V1Foo (a model class)    -> Object(index of the type)
  object whose pydantic annotation is Union[int, str]
                           -> IntOrString (util/intstr.IntOrString, e.g.
                              ServicePort.targetPort, probe ports,
                              RollingUpdate* maxSurge/maxUnavailable)
  object annotated Dict[str, Any] or Any
                           -> Any (runtime.RawExtension such as
                              ControllerRevision.data, meta/v1 FieldsV1 such
                              as ManagedFieldsEntry.fieldsV1)
  resource.Quantity        -> Quantity. The client erases Quantity to `str`
                              (Dict[str, str] for ResourceList maps), so the
                              Quantity fields are listed by hand in
                              QUANTITY_FIELDS below (checked against the
                              1.37 OpenAPI definitions); every entry must
                              exist, or the script fails.
  property-less object structs (scheduling v1alpha3
  WorkloadPodGroup{All,Single}DisruptionMode,
  WorkloadPodGroupBasicSchedulingPolicy)
                           -> the client inlines them as `object`; they are
                              emitted as Object(i) of a TypeDef with no
                              fields (EMPTY_STRUCTS below), so `{}` is
                              accepted and any key inside is unknown, which is
                              what the API server's strict decoding does.

Required fields: taken from the pydantic model (a field without a default is
required), which mirrors the OpenAPI `required` lists of release-1.37.
Kubernetes 1.37 marks a few fields required that older releases did not
(e.g. Deployment/DaemonSet/ReplicaSet/CronJob/HorizontalPodAutoscaler `spec`,
ControllerRevision `data` while `revision` became optional); this is the spec,
not a client bug (k8s-openapi's v1_37 bindings agree).

API group of nested types: the Python class names drop the API group
(V1PodSpec, V1DaemonSetSpec, ...), so the group is recovered like this:
explicit prefixes (CoreV1*, DiscoveryV1*, ...) name it; a fixed list of
apimachinery meta/v1 classes maps to io.k8s.apimachinery.pkg.apis.meta.v1;
v1alpha3 classes are scheduling.k8s.io (the only v1alpha3 group reachable);
every other class inherits the group of the first root (in ROOT_SPECS order,
core first) that reaches it through classes of the same version.
"""

from __future__ import annotations

import os
import re
import sys
import typing

try:
    import kubernetes
    from kubernetes.client import models as M
except ImportError:  # pragma: no cover
    sys.exit("gen-schema.py: the `kubernetes` package is missing; "
             "pip install kubernetes==37.0.2 (see the header comment)")

EXPECTED_CLIENT_VERSION = "37.0.2"
K8S_RELEASE = "1.37"

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "crates", "kubarium", "src", "schema", "generated.rs")

# (const name, apiVersion, kind, python model class)
ROOT_SPECS = [
    ("POD", "v1", "Pod", "V1Pod"),
    ("NODE", "v1", "Node", "V1Node"),
    ("NAMESPACE", "v1", "Namespace", "V1Namespace"),
    ("SERVICE", "v1", "Service", "V1Service"),
    ("ENDPOINTS", "v1", "Endpoints", "V1Endpoints"),
    ("REPLICATION_CONTROLLER", "v1", "ReplicationController", "V1ReplicationController"),
    ("RESOURCE_QUOTA", "v1", "ResourceQuota", "V1ResourceQuota"),
    ("LIMIT_RANGE", "v1", "LimitRange", "V1LimitRange"),
    ("EVENT_V1", "v1", "Event", "CoreV1Event"),
    ("LIST", "v1", "List", "@List"),  # hand-written, see HAND_TYPES
    ("DAEMON_SET", "apps/v1", "DaemonSet", "V1DaemonSet"),
    ("REPLICA_SET", "apps/v1", "ReplicaSet", "V1ReplicaSet"),
    ("DEPLOYMENT", "apps/v1", "Deployment", "V1Deployment"),
    ("CONTROLLER_REVISION", "apps/v1", "ControllerRevision", "V1ControllerRevision"),
    ("JOB", "batch/v1", "Job", "V1Job"),
    ("CRON_JOB", "batch/v1", "CronJob", "V1CronJob"),
    ("HORIZONTAL_POD_AUTOSCALER_V1", "autoscaling/v1", "HorizontalPodAutoscaler", "V1HorizontalPodAutoscaler"),
    ("HORIZONTAL_POD_AUTOSCALER_V2", "autoscaling/v2", "HorizontalPodAutoscaler", "V2HorizontalPodAutoscaler"),
    ("ENDPOINT_SLICE", "discovery.k8s.io/v1", "EndpointSlice", "V1EndpointSlice"),
]

# OpenAPI definition prefix per API group (as used in apiVersion).
GROUP_PREFIX = {
    "": "io.k8s.api.core",
    "apps": "io.k8s.api.apps",
    "batch": "io.k8s.api.batch",
    "autoscaling": "io.k8s.api.autoscaling",
    "discovery.k8s.io": "io.k8s.api.discovery",
    "scheduling.k8s.io": "io.k8s.api.scheduling",
    "events.k8s.io": "io.k8s.api.events",
    "meta": "io.k8s.apimachinery.pkg.apis.meta",
}
# Group prefixes the client adds to disambiguate clashing class names.
CLASS_GROUP_PREFIX = {
    "Core": "",
    "Discovery": "discovery.k8s.io",
    "Events": "events.k8s.io",
}
# apimachinery meta/v1 classes (the client names them V1Foo like core types).
META_V1 = {
    "V1ObjectMeta", "V1ListMeta", "V1LabelSelector", "V1LabelSelectorRequirement",
    "V1OwnerReference", "V1ManagedFieldsEntry", "V1Condition", "V1ShardInfo",
    "V1Status", "V1StatusDetails", "V1StatusCause", "V1DeleteOptions",
    "V1Preconditions", "V1WatchEvent", "V1APIResource", "V1APIResourceList",
    "V1GroupVersionForDiscovery", "V1ServerAddressByClientCIDR", "V1APIGroup",
}
# Versions that only occur in one group among the reachable types.
VERSION_GROUP = {"v1alpha3": "scheduling.k8s.io"}

# resource.Quantity fields (python class, JSON field). Scalars become
# Quantity, Dict[str, str] (ResourceList) becomes Map(Quantity).
QUANTITY_FIELDS = {
    ("V1ResourceRequirements", "limits"), ("V1ResourceRequirements", "requests"),
    ("V1VolumeResourceRequirements", "limits"), ("V1VolumeResourceRequirements", "requests"),
    ("V1ContainerStatus", "allocatedResources"),
    ("V1PodStatus", "allocatedResources"),
    ("V1PodSpec", "overhead"),
    ("V1NodeStatus", "allocatable"), ("V1NodeStatus", "capacity"),
    ("V1ResourceQuotaSpec", "hard"),
    ("V1ResourceQuotaStatus", "hard"), ("V1ResourceQuotaStatus", "used"),
    ("V1LimitRangeItem", "default"), ("V1LimitRangeItem", "defaultRequest"),
    ("V1LimitRangeItem", "max"), ("V1LimitRangeItem", "min"),
    ("V1LimitRangeItem", "maxLimitRequestRatio"),
    ("V1EmptyDirVolumeSource", "sizeLimit"),
    ("V1ResourceFieldSelector", "divisor"),
    ("V1NodeAllocatableMappedResources", "quantity"),
    ("V1NodeAllocatableOverheadResources", "perContainer"),
    ("V1NodeAllocatableOverheadResources", "perPod"),
    ("V2MetricTarget", "averageValue"), ("V2MetricTarget", "value"),
    ("V2MetricValueStatus", "averageValue"), ("V2MetricValueStatus", "value"),
    ("V2HPAScalingRules", "tolerance"),
}

# Property-less structs the client inlines as `object`:
# (python class, JSON field) -> OpenAPI name of the empty struct.
EMPTY_STRUCTS = {
    ("V1alpha3WorkloadPodGroupDisruptionMode", "all"):
        "io.k8s.api.scheduling.v1alpha3.WorkloadPodGroupAllDisruptionMode",
    ("V1alpha3WorkloadPodGroupDisruptionMode", "single"):
        "io.k8s.api.scheduling.v1alpha3.WorkloadPodGroupSingleDisruptionMode",
    ("V1alpha3WorkloadPodGroupSchedulingPolicy", "basic"):
        "io.k8s.api.scheduling.v1alpha3.WorkloadPodGroupBasicSchedulingPolicy",
}

# Hand-written types: pseudo class -> (OpenAPI-ish name, [(json, typestr, required)]).
# typestr uses the client's syntax; "@any" means FieldType::Any.
HAND_TYPES = {
    "@List": ("io.k8s.api.core.v1.List", [
        ("apiVersion", "str", False),
        ("kind", "str", False),
        ("metadata", "V1ListMeta", False),
        ("items", "List[@any]", True),
    ]),
}

CLASS_RE = re.compile(r"^(?P<grp>[A-Z][a-z]+)?(?P<ver>V\d+(?:(?:alpha|beta)\d+)?)(?P<kind>[A-Z]\w*)$")


def model(cls_name):
    cls = getattr(M, cls_name, None)
    if cls is None or not hasattr(cls, "openapi_types"):
        raise SystemExit(f"gen-schema.py: no model class {cls_name}")
    return cls


def pyd_field(cls, attr):
    """The pydantic FieldInfo behind a python attribute name."""
    for name, f in cls.model_fields.items():
        names = {name, f.alias, f.serialization_alias}
        va = f.validation_alias
        if va is not None and hasattr(va, "choices"):
            names |= set(va.choices)
        if attr in names:
            return f
    raise SystemExit(f"gen-schema.py: {cls.__name__}.{attr}: no pydantic field")


def split_generic(s):
    """'Dict[str, List[V1X]]' -> ('Dict', ['str', 'List[V1X]']); also accepts
    the legacy 'dict(str, V1X)' / 'list[V1X]' spellings."""
    m = re.match(r"^(\w+)[\[(](.*)[\])]$", s)
    if not m:
        return None, []
    head, body = m.group(1), m.group(2)
    args, depth, cur = [], 0, ""
    for ch in body:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    args.append(cur.strip())
    return head.lower(), args


def is_int_or_string(annotation):
    """Union[StrictInt, StrictStr] (optionally with None)."""
    if typing.get_origin(annotation) is not typing.Union:
        return False
    base = set()
    for a in typing.get_args(annotation):
        if a is type(None):
            continue
        if typing.get_origin(a) is typing.Annotated:
            a = typing.get_args(a)[0]
        base.add(a)
    return base == {int, str}


class Gen:
    def __init__(self):
        self.types = {}     # key (class name / pseudo) -> {"name":..., "fields": [(json, ft, req)]}
        self.order = []     # discovery order of keys
        self.group = {}     # class name -> api group
        self.unused_quantity = set(QUANTITY_FIELDS)
        self.unused_empty = set(EMPTY_STRUCTS)
        self.notes = []

    # ---- naming -------------------------------------------------------
    def openapi_name(self, cls_name):
        if cls_name.startswith("@"):
            return HAND_TYPES[cls_name][0]
        m = CLASS_RE.match(cls_name)
        if not m:
            raise SystemExit(f"gen-schema.py: cannot parse class name {cls_name}")
        ver = m.group("ver").lower()
        kind = m.group("kind")
        if m.group("grp"):
            group = CLASS_GROUP_PREFIX[m.group("grp")]
        elif cls_name in META_V1:
            group = "meta"
        elif ver in VERSION_GROUP:
            group = VERSION_GROUP[ver]
        else:
            group = self.group.get(cls_name)
            if group is None:
                raise SystemExit(f"gen-schema.py: no API group for {cls_name}")
        return f"{GROUP_PREFIX[group]}.{ver}.{kind}"

    def assign_groups(self):
        """Give every reachable class the group of the first root reaching it
        through classes of the root's own version."""
        for _, api_version, _, cls_name in ROOT_SPECS:
            group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
            ver = api_version.rsplit("/", 1)[-1]
            stack = [cls_name]
            seen = set()
            while stack:
                c = stack.pop()
                if c in seen:
                    continue
                seen.add(c)
                if c.startswith("@"):
                    continue
                m = CLASS_RE.match(c)
                if m.group("ver").lower() != ver:
                    continue
                if not m.group("grp") and c not in META_V1:
                    self.group.setdefault(c, group)
                for t in model(c).openapi_types.values():
                    stack.extend(r for r in re.findall(r"[A-Z]\w*", t) if hasattr(M, r))

    # ---- types --------------------------------------------------------
    def field_type(self, typestr, owner, json, annotation):
        """Return a Rust FieldType expression for a client type string."""
        quantity = (owner, json) in QUANTITY_FIELDS
        if quantity:
            self.unused_quantity.discard((owner, json))
        return self._ft(typestr, owner, json, annotation, quantity, top=True)

    def _ft(self, t, owner, json, annotation, quantity, top):
        t = t.strip()
        head, args = split_generic(t)
        if head in ("list",):
            return f"FieldType::Array(&{self._ft(args[0], owner, json, None, quantity, False)})"
        if head in ("dict",):
            if args[0] != "str":
                raise SystemExit(f"gen-schema.py: {owner}.{json}: non-string map key {t}")
            return f"FieldType::Map(&{self._ft(args[1], owner, json, None, quantity, False)})"
        if t == "@any":
            return "FieldType::Any"
        if t in ("str", "bytes"):
            return "FieldType::Quantity" if quantity else "FieldType::String"
        if quantity:
            raise SystemExit(f"gen-schema.py: {owner}.{json}: Quantity listed but client type is {t}")
        if t == "int":
            return "FieldType::Integer"
        if t == "float":
            return "FieldType::Number"
        if t == "bool":
            return "FieldType::Boolean"
        if t in ("datetime", "date"):
            return "FieldType::Time"
        if t == "object":
            if not top:
                return "FieldType::Any"
            if (owner, json) in EMPTY_STRUCTS:
                self.unused_empty.discard((owner, json))
                key = "@empty:" + EMPTY_STRUCTS[(owner, json)]
                self.visit_empty(key, EMPTY_STRUCTS[(owner, json)])
                return f"FieldType::Object({{{key}}})"
            if annotation is not None and is_int_or_string(annotation):
                return "FieldType::IntOrString"
            self.notes.append(f"Any: {owner}.{json} ({annotation})")
            return "FieldType::Any"
        if hasattr(M, t) or t.startswith("@"):
            self.visit(t)
            return f"FieldType::Object({{{t}}})"
        raise SystemExit(f"gen-schema.py: {owner}.{json}: unknown client type {t!r}")

    def visit_empty(self, key, name):
        if key not in self.types:
            self.types[key] = {"name": name, "fields": []}
            self.order.append(key)

    def visit(self, cls_name):
        if cls_name in self.types:
            return
        entry = {"name": self.openapi_name(cls_name), "fields": []}
        self.types[cls_name] = entry
        self.order.append(cls_name)
        if cls_name.startswith("@"):
            for json, typestr, req in HAND_TYPES[cls_name][1]:
                entry["fields"].append((json, self.field_type(typestr, cls_name, json, None), req))
        else:
            cls = model(cls_name)
            for attr, typestr in cls.openapi_types.items():
                json = cls.attribute_map[attr]
                f = pyd_field(cls, attr)
                ft = self.field_type(typestr, cls_name, json, f.annotation)
                entry["fields"].append((json, ft, f.is_required()))
        entry["fields"].sort(key=lambda x: x[0])

    def run(self):
        self.assign_groups()
        for _, _, _, cls_name in ROOT_SPECS:
            self.visit(cls_name)
        if self.unused_quantity:
            raise SystemExit(f"gen-schema.py: QUANTITY_FIELDS not found: {sorted(self.unused_quantity)}")
        if self.unused_empty:
            raise SystemExit(f"gen-schema.py: EMPTY_STRUCTS not found: {sorted(self.unused_empty)}")
        names = [self.types[k]["name"] for k in self.order]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise SystemExit(f"gen-schema.py: duplicate type names {sorted(dup)}")
        keys = sorted(self.order, key=lambda k: self.types[k]["name"])
        self.index = {k: i for i, k in enumerate(keys)}
        self.sorted_keys = keys

    # ---- output -------------------------------------------------------
    def render(self):
        def fix(ft):
            return re.sub(r"\{([^}]+)\}", lambda m: str(self.index[m.group(1)]), ft)

        out = []
        w = out.append
        w("// @generated by scripts/gen-schema.py -- do not edit by hand.")
        w(f"// Source: PyPI `kubernetes` {kubernetes.__version__} "
          f"(OpenAPI spec of Kubernetes release-{K8S_RELEASE}).")
        w("// Types are sorted by name and fields by JSON name (code-point order).")
        w("use super::{FieldDef, FieldType, TypeDef};")
        w("")
        for const, _, _, cls_name in ROOT_SPECS:
            w(f"pub const {const}: usize = {self.index[cls_name]};")
        w("")
        w("/// (apiVersion, kind, index into TYPES) for every root kind.")
        w("pub static ROOTS: &[(&str, &str, usize)] = &[")
        for const, api_version, kind, _ in ROOT_SPECS:
            w(f'    ("{api_version}", "{kind}", {const}),')
        w("];")
        w("")
        w(f"/// {len(self.sorted_keys)} types reachable from ROOTS.")
        w("pub static TYPES: &[TypeDef] = &[")
        for i, key in enumerate(self.sorted_keys):
            t = self.types[key]
            if not t["fields"]:
                w(f'    /* {i} */ TypeDef {{ name: "{t["name"]}", fields: &[] }},')
                continue
            w(f'    /* {i} */ TypeDef {{ name: "{t["name"]}", fields: &[')
            for json, ft, req in t["fields"]:
                w(f'        FieldDef {{ name: "{json}", ty: {fix(ft)}, required: {"true" if req else "false"} }},')
            w("    ] },")
        w("];")
        return "\n".join(out) + "\n"


def main():
    if kubernetes.__version__ != EXPECTED_CLIENT_VERSION:
        print(f"gen-schema.py: warning: kubernetes=={kubernetes.__version__}, "
              f"expected {EXPECTED_CLIENT_VERSION}", file=sys.stderr)
    g = Gen()
    g.run()
    text = g.render()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)

    # Sanity check.
    nfields = sum(len(t["fields"]) for t in g.types.values())
    print(f"wrote {os.path.relpath(OUT, REPO)}: {len(g.sorted_keys)} types, "
          f"{nfields} fields, {len(text)} bytes")
    for const, api_version, kind, cls_name in ROOT_SPECS:
        print(f"  {const} = {g.index[cls_name]:3}  {api_version} {kind}")
    for note in g.notes:
        print(f"  {note}")
    ps = g.types["V1PodSpec"]
    print(f"{ps['name']} (required marked *):")
    for json, ft, req in ps["fields"]:
        ft = re.sub(r"\{([^}]+)\}", lambda m: g.types[m.group(1)]["name"].rsplit(".", 1)[-1], ft)
        print(f"  {json}{'*' if req else ''}: {ft.replace('FieldType::', '')}")


if __name__ == "__main__":
    main()
