import { redirect } from "next/navigation";
import { currentUser } from "@/lib/session";

export const dynamic = "force-dynamic";

export default async function Home() {
  redirect((await currentUser()) ? "/tasks" : "/sign-in");
}
