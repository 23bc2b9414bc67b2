"""initial schema

Revision ID: 0001
Revises:
Create Date: 2024-05-06 11:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_index("ix_customers_email", "customers", ["email"], unique=True)
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sku", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("price", sa.Numeric(10, 2), nullable=False),
        sa.Column("supplier_category", sa.String(100)),
    )
    op.create_index("ix_products_sku", "products", ["sku"])
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
    )
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"])
    op.create_index("ix_orders_placed", "orders", ["placed_at"])
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("products.id"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
    )
    op.create_table(
        "crm_contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("crm_ref", sa.String(32), nullable=False),
        sa.Column("email", sa.String(255)),
    )
    op.create_table(
        "daily_sales",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("revenue", sa.Numeric(12, 2), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
    )
    op.create_table(
        "loyalty_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id"), nullable=False, unique=True),
        sa.Column("points", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("loyalty_accounts", "daily_sales", "crm_contacts", "order_lines", "orders", "products", "customers"):
        op.drop_table(table)
