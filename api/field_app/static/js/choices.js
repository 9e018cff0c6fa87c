// The answers the tracker accepts, in the order they are offered. Each is shown as the
// words of the catalogue key ``answer.<name>.<value>``, never as the code itself.

export const CHOICES = {
  contact: ["in_person", "phone", "none"],
  housing: ["stable", "temporary", "homeless", "unknown"],
  livelihood: ["employed", "own_business", "in_training", "none", "unknown"],
  retrafficking_risk: ["low", "medium", "high"],
  wellbeing: ["1", "2", "3", "4", "5"],
  recipient: ["returnee", "relative"],
  method: ["cash", "bank_transfer", "mobile_money"],
  category: [
    "housing",
    "business",
    "education",
    "school_fees",
    "pocket_money",
    "food",
    "medical",
    "travel",
    "other",
  ],
  payment_status: ["recorded", "pending_approval", "approved", "rejected"],
  case_status: [
    "reflection",
    "planned",
    "departed",
    "reintegration",
    "completed",
    "closed_early",
    "cancelled",
  ],
};

export const MONTHS = [1, 2, 3, 4, 5, 6];
