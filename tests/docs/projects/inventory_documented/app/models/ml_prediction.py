from sqlalchemy import CheckConstraint, Column, Date, DateTime, Float, ForeignKey, Integer, String, func
from sqlalchemy.orm import relationship

from app.core.database import Base


class MLPrediction(Base):
    """Machine learning predictions for stock depletion."""

    __tablename__ = "ml_predictions"
    __table_args__ = (CheckConstraint("confidence_score BETWEEN 0 AND 1", name="ck_ml_predictions_confidence"),)

    id = Column(Integer, primary_key=True, index=True)
    product_id = Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    predicted_depletion_date = Column(Date)
    confidence_score = Column(Float, nullable=False)
    daily_consumption_rate = Column(Float)
    model_version = Column(String(50))
    created_at = Column(DateTime(timezone=True), server_default=func.now(), index=True)

    product = relationship("Product", back_populates="ml_predictions")
