"""Scripted buyer and seller replies for the fake LM Studio: sellers offer their floor, the buyer accepts in round 2."""
from __future__ import annotations

import json
import re


def responder(body: dict) -> str:
    system = body["messages"][0]["content"]
    last = body["messages"][-1]["content"]
    if "a buyer." in system:
        if "Start the negotiation" in last:
            return json.dumps({"message": "Hello all, I need these. Best price?"})
        if "Round 2" in last:
            offers = re.findall(r"- (.+?): ([\d,.]+) per unit", last)
            if offers:  # accept the cheapest standing offer
                seller = min(offers, key=lambda o: float(o[1].replace(",", "")))[0]
                return json.dumps({"decision": "accept", "seller": seller, "message": "Deal."})
        return json.dumps({"decision": "continue", "seller": None, "message": "Can you go lower?"})
    floor = re.search(r"do not go below ([\d,.]+)", last)
    price = float(floor.group(1).replace(",", "")) if floor else None
    return json.dumps({"message": f"I can do {price}.", "offer_price": price, "offer_quantity": None})
