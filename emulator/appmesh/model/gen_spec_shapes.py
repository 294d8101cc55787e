#!/usr/bin/env python3
"""Prints the App Mesh spec shapes as the compact table in spec_shapes.cc.

The table is a transcription of the App Mesh API model (2019-01-25) as botocore ships it: every
shape reachable from the seven resource specs and the tag list, one per line. Run it against the
model the Debian CLI bundles and paste the output into spec_shapes.cc when the model changes:

  gen_spec_shapes.py \
      /usr/lib/python3/dist-packages/awscli/botocore/data/appmesh/2019-01-25/service-2.json
"""
import json
import sys

ROOTS = ["MeshSpec", "VirtualNodeSpec", "VirtualServiceSpec", "VirtualRouterSpec", "RouteSpec",
         "VirtualGatewaySpec", "GatewayRouteSpec", "TagList"]


def bounds(shape):
    if "min" not in shape and "max" not in shape:
        return ""
    return " {}..{}".format(shape.get("min", ""), shape.get("max", ""))


def line(name, shape):
    kind = shape["type"]
    if kind == "structure":
        required = set(shape.get("required", []))
        members = " ".join(("*" if m in required else "") + m + ":" + v["shape"]
                           for m, v in sorted(shape["members"].items()))
        return "{} {} {}".format(name, "union" if shape.get("union") else "struct", members)
    if kind == "list":
        return "{} list {}{}".format(name, shape["member"]["shape"], bounds(shape))
    text = "{} {}{}".format(name, kind, bounds(shape))
    if "enum" in shape:
        text += " enum " + "|".join(shape["enum"])
    return text


def wrap(text, width=96):
    """Long structures continue on indented lines, so the table stays within 100 columns."""
    out, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = "  " + word
        else:
            current = current + " " + word if current else word
    out.append(current)
    return "\n".join(out)


def main():
    shapes = json.load(open(sys.argv[1]))["shapes"]
    order = []

    def walk(name):
        if name in order:
            return
        order.append(name)
        shape = shapes[name]
        for member in shape.get("members", {}).values():
            walk(member["shape"])
        if "member" in shape:
            walk(shape["member"]["shape"])

    for root in ROOTS:
        walk(root)
    for name in order:
        print(wrap(line(name, shapes[name])))


if __name__ == "__main__":
    main()
