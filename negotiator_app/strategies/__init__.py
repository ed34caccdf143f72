"""Rule-based negotiators (time-dependent tactics and tit-for-tat), their messages, the hybrid seam,
and disclosure detection: pure functions, no I/O."""
from .buyer import ACCEPT, CONTINUE, WALK_AWAY, BuyerMove, buyer_move, buyer_opening, is_valid, target_price
from .config import DEFAULT_EXPONENT, AgentConfig, AgentKind, StrategyConfig, StrategyKind
from .disclosure import Disclosure, Secret, buyer_secrets, find_disclosures, seller_secrets
from .hybrid import buyer_instruction, check_buyer_reply, check_seller_reply, seller_instruction
from .numbers import price_mentions, proposed_price, states_price
from .observe import buyer_prices_by_round
from .seller import SellerMove, seller_move, seller_offer_price
from .tactics import buyer_target, concession, seller_price

__all__ = [
    # configuration
    "DEFAULT_EXPONENT", "AgentConfig", "AgentKind", "StrategyConfig", "StrategyKind",
    # tactics: how far to concede by a point of the run
    "buyer_target", "concession", "seller_price",
    # moves
    "ACCEPT", "CONTINUE", "WALK_AWAY", "BuyerMove", "buyer_move", "buyer_opening", "is_valid", "target_price",
    "SellerMove", "seller_move", "seller_offer_price", "buyer_prices_by_round",
    # hybrid agents: a strategy decides, a model writes
    "buyer_instruction", "check_buyer_reply", "check_seller_reply", "seller_instruction",
    # reading prices and spotting disclosures
    "price_mentions", "proposed_price", "states_price",
    "Disclosure", "Secret", "buyer_secrets", "find_disclosures", "seller_secrets",
]
